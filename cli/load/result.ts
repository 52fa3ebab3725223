import { formatUsd } from "../../runtime/cost/format";
import type { CostBreakdown, LoadCostProjection } from "../../runtime/load/cost";
import { formatMix, type Operation } from "../../runtime/load/mix";
import type { LoadRun } from "../../runtime/load/run";
import type { SimulationResult } from "../../runtime/load/simulation";
import type { LoadReportInput } from "./report";

/**
 * The machine-readable result of `avalo load` (`out/load/<name>/result.json`) and the report
 * renderer's input built from it. Measured runs carry the LoadRun (config, seed, per-operation
 * stats, per-second timeline per operation, thresholds and verdict, saturation); simulations
 * carry the model and say so; both carry the cost projections.
 */
export interface LoadTargetInfo {
  readonly kind: "local" | "staging";
  readonly url?: string;
  readonly project?: string;
  readonly startupMillis?: number;
}

export interface MeasuredResult {
  readonly kind: "avalo-load-result";
  readonly version: 1;
  readonly mode: "measured";
  readonly name: string;
  readonly target: LoadTargetInfo;
  readonly seed: number;
  readonly verdict: "pass" | "fail";
  readonly run: LoadRun;
  readonly cost: {
    readonly load: LoadCostProjection;
    readonly twentyMillion: CostBreakdown & { model: string; dailyActiveUsers: number };
  };
}

export interface SimulatedResult {
  readonly kind: "avalo-load-result";
  readonly version: 1;
  readonly mode: "simulation";
  readonly name: string;
  readonly notice: string;
  readonly verdict: "not evaluated (model)";
  readonly simulation: SimulationResult;
  readonly cost: {
    readonly load: LoadCostProjection;
    readonly twentyMillion: CostBreakdown & { model: string; dailyActiveUsers: number };
  };
}

export type LoadResultFile = MeasuredResult | SimulatedResult;

const n = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 2 });

/** The renderer's input of a measured run ("all" rows left out: the charts stack operations). */
export function reportOfRun(result: MeasuredResult): LoadReportInput {
  const run = result.run;
  const all = run.operations.find((o) => o.op === "all")!;
  const c = run.config;
  return {
    title: `avalo load: ${result.target.kind}${result.target.url ? ` ${result.target.url}` : ""} (${result.name})`,
    summary: [
      {
        label: "target",
        value: result.target.kind + (result.target.url ? ` ${result.target.url}` : ""),
      },
      {
        label: "virtual users",
        value:
          n(c.users) +
          (c.shard.count > 1
            ? ` (shard ${c.shard.index}/${c.shard.count}: ${n(c.shardUsers)})`
            : ""),
      },
      {
        label: "target rate",
        value: `${n(c.shardRatePerSecond)} ops/s after ${c.rampUpSeconds} s ramp-up, ${c.durationSeconds} s in all`,
      },
      { label: "mix", value: formatMix(c.mix) },
      { label: "seed", value: String(run.seed) },
      { label: "arrivals", value: `${n(run.arrivals)} (${n(run.sent)} sent)` },
      {
        label: "ok ops/s (steady / overall)",
        value: `${n(run.opsPerSecond.steady)} / ${n(run.opsPerSecond.overall)}`,
      },
      {
        label: "p50 / p95 / p99 (from intended start)",
        value: `${n(all.p50Ms)} / ${n(all.p95Ms)} / ${n(all.p99Ms)} ms`,
      },
      { label: "errors", value: `${n(run.errors)} ${JSON.stringify(all.errorsByType)}` },
      { label: "saturated first", value: run.saturation.first?.detail ?? "nothing" },
      { label: "verdict", value: result.verdict.toUpperCase() },
      {
        label: "cost of this load held for a month",
        value: formatUsd(result.cost.load.monthlyUsd),
      },
    ],
    operations: run.operations
      .filter((o) => o.op !== "all")
      .map((o) => ({
        op: o.op,
        count: o.count,
        errors: o.errors,
        p50Ms: o.p50Ms,
        p95Ms: o.p95Ms,
        p99Ms: o.p99Ms,
        maxMs: o.maxMs,
      })),
    timeline: run.timeline
      .filter((t) => t.op !== "all")
      .map((t) => ({
        second: t.second,
        op: t.op,
        count: t.count,
        errors: t.errors,
        p50Ms: t.p50Ms,
        p95Ms: t.p95Ms,
        p99Ms: t.p99Ms,
      })),
    thresholds: run.thresholds.checks.map((t) => ({ ...t })),
  };
}

/** The renderer's input of a simulation: modelled arrivals, latency = the latency assumed. */
export function reportOfSimulation(result: SimulatedResult): LoadReportInput {
  const s = result.simulation;
  const byOp = new Map<string, number>();
  for (const t of s.timeline) byOp.set(t.op, (byOp.get(t.op) ?? 0) + t.arrivals);
  const opLatency = (op: string) => s.latencyByOperation[op as Operation] ?? 0;
  return {
    title: `avalo load: SIMULATION (a model, no requests sent) of ${n(s.users)} users (${result.name})`,
    summary: [
      { label: "mode", value: s.notice },
      { label: "virtual users", value: n(s.users) },
      { label: "modelled rate", value: `${n(s.ratePerSecond)} ops/s` },
      { label: "modelled arrivals", value: n(s.arrivals.total) },
      { label: "latency used", value: s.latencySource },
      {
        label: "Pub/Sub",
        value: `${n(s.pubsub.messagesPerSecond)} msg/s, ${n(s.pubsub.bytesPerSecond)} B/s`,
      },
      {
        label: "Firestore",
        value: `${n(s.firestore.readsPerSecond)} reads/s, ${n(s.firestore.writesPerSecond)} writes/s`,
      },
      {
        label: "instances",
        value: s.services.map((v) => `${v.service} ${v.instances}`).join(", "),
      },
      { label: "cost held for a month", value: formatUsd(result.cost.load.monthlyUsd) },
      { label: "cost of this run's duration", value: formatUsd(result.cost.load.runUsd) },
    ],
    operations: [...byOp.entries()].map(([op, count]) => {
      const ms = opLatency(op);
      return {
        op,
        count: Math.round(count),
        errors: 0,
        p50Ms: ms,
        p95Ms: ms,
        p99Ms: ms,
        maxMs: ms,
      };
    }),
    timeline: s.timeline.map((t) => {
      const ms = opLatency(t.op);
      return {
        second: t.second,
        op: t.op,
        count: t.arrivals,
        errors: 0,
        p50Ms: ms,
        p95Ms: ms,
        p99Ms: ms,
      };
    }),
    thresholds: [],
  };
}
