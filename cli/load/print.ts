import { formatUsd, textTable } from "../../runtime/cost/format";
import type { CostBreakdown, LoadCostProjection } from "../../runtime/load/cost";
import type { LoadRun } from "../../runtime/load/run";
import type { SimulationResult } from "../../runtime/load/simulation";

/** The end-of-run printout of `avalo load`: tables as text. */

const n = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 2 });

/** Per-operation percentiles, errors and ops/s. */
export function formatOperations(run: LoadRun): string {
  const seconds = run.config.durationSeconds;
  const rows = run.operations.map((o) => [
    o.op,
    n(o.count),
    n(o.ok),
    n(o.errors),
    n(o.p50Ms),
    n(o.p95Ms),
    n(o.p99Ms),
    n(o.maxMs),
    n(o.serviceP99Ms),
    n(Math.round((o.ok / seconds) * 10) / 10),
  ]);
  return textTable(
    [
      "operation",
      "arrivals",
      "ok",
      "errors",
      "p50 ms",
      "p95 ms",
      "p99 ms",
      "max ms",
      "svc p99 ms",
      "ok ops/s",
    ],
    rows,
  );
}

/** Errors by type and operation. */
export function formatErrors(run: LoadRun): string {
  const rows = run.operations
    .filter((o) => o.op !== "all")
    .flatMap((o) => Object.entries(o.errorsByType).map(([type, count]) => [o.op, type, n(count)]));
  return rows.length === 0
    ? "errors: none"
    : `errors by type:\n${textTable(["operation", "type", "count"], rows)}`;
}

export function formatThresholds(run: LoadRun): string {
  const rows = run.thresholds.checks.map((c) => [
    c.name,
    c.limit,
    c.actual,
    c.passed ? "pass" : "MISSED",
  ]);
  const verdict = run.thresholds.passed
    ? "verdict: PASS"
    : `verdict: FAIL (missed: ${run.thresholds.checks
        .filter((c) => !c.passed)
        .map((c) => c.name)
        .join(", ")})`;
  return `${textTable(["threshold", "limit", "actual", ""], rows)}\n${verdict}`;
}

export function formatSaturation(run: LoadRun): string {
  const rows = run.saturation.cpu.map((c) => [
    c.name,
    n(c.limitCores),
    n(c.meanCores),
    n(c.peakCores),
  ]);
  return [
    "saturation:",
    ...run.saturation.notes.map((note) => `  ${note}`),
    textTable(["process", "core limit", "mean cores", "peak cores"], rows),
  ].join("\n");
}

function breakdownTable(b: CostBreakdown): string {
  const rows = b.bySubject
    .filter((s) => s.monthlyUsd > 0 || s.unknownLines > 0)
    .map((s) => [
      s.subject,
      s.unknownLines > 0
        ? `${formatUsd(s.monthlyUsd)} (+${s.unknownLines} unknown)`
        : formatUsd(s.monthlyUsd),
    ]);
  rows.push(["total", formatUsd(b.monthlyUsd)]);
  const borrowed = borrowedNote(b);
  return [textTable(["service", "monthly"], rows), ...(borrowed ? [`  ${borrowed}`] : [])].join(
    "\n",
  );
}

/** The borrowed figure beside a breakdown's total (unknown lines at other locations' prices). */
function borrowedNote(b: CostBreakdown): string {
  const x = b.borrowed;
  if (!x || x.lines === 0) return "";
  return `borrowed, not in the total: ${x.lines} unknown-priced line${x.lines > 1 ? "s" : ""} would add ${formatUsd(x.usd)} at the list prices quoted for ${x.locations.join(", ")}`;
}

export function formatLoadCost(cost: LoadCostProjection): string {
  return [
    `cost on GCP of this load (${cost.basis}; prices: runtime/cost/prices.ts):`,
    `  ${n(cost.opsPerSecond)} ops/s ≈ ${n(cost.dailyActiveUsersEquivalent)} daily active users ≈ ${n(cost.operationsPerMonth)} operations/month`,
    `  held for a month: ${formatUsd(cost.monthlyUsd)}; this run's ${n(cost.runSeconds)} s: ${formatUsd(cost.runUsd)}`,
    breakdownTable(cost),
    ...(cost.unknownPrices.length > 0
      ? [`  unknown prices (not in totals): ${cost.unknownPrices.join(", ")}`]
      : []),
  ].join("\n");
}

export function formatTwentyMillion(
  p: CostBreakdown & { model: string; dailyActiveUsers: number },
): string {
  return [
    `the scale report's month at ${n(p.dailyActiveUsers)} daily active users (${p.model}), per service:`,
    breakdownTable(p),
  ].join("\n");
}

export function formatSimulation(s: SimulationResult): string {
  const ops = Object.entries(s.arrivals.byOperation)
    .filter(([, v]) => v > 0)
    .map(([op, v]) => [op, n(v)]);
  const services = s.services.map((v) => [
    v.service,
    n(v.requestsPerSecond),
    n(v.latencyMs),
    n(v.concurrentRequests),
    String(v.concurrency),
    `${v.instances}${v.exceedsMaxInstances ? " (OVER max)" : ""}`,
    String(v.maxInstances),
  ]);
  return [
    `*** ${s.notice} ***`,
    `${n(s.users)} virtual users (this shard ${n(s.shardUsers)}), ${n(s.ratePerSecond)} ops/s, ${s.durationSeconds} s (ramp-up ${s.rampUpSeconds} s); latency ${s.latencySource}`,
    `modelled arrivals: ${n(s.arrivals.total)}`,
    textTable(["operation", "arrivals"], ops),
    "modelled services at the steady rate (instances: max of rate × latency ÷ concurrency and CPU):",
    textTable(
      ["service", "req/s", "latency ms", "in flight", "concurrency", "instances", "max instances"],
      services,
    ),
    `modelled Pub/Sub: ${n(s.pubsub.messagesPerSecond)} msg/s, ${n(s.pubsub.bytesPerSecond)} B/s; whole run ${n(s.pubsub.totalMessages)} messages, ${n(s.pubsub.totalBytes)} bytes`,
    `modelled Firestore: ${n(s.firestore.readsPerSecond)} reads/s, ${n(s.firestore.writesPerSecond)} writes/s; whole run ${n(s.firestore.totalReads)} reads, ${n(s.firestore.totalWrites)} writes`,
  ].join("\n");
}
