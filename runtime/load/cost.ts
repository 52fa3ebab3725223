import { SECONDS_PER_MONTH } from "../cost/defaults";
import { estimateUsage } from "../cost/estimate";
import { roundCents } from "../cost/line";
import { categoryTotals } from "../cost/projection";
import type { CostCategory, CostEstimate } from "../cost/types";
import type { UsageModel } from "../cost/usage";
import { OPERATIONS, type Mix } from "./mix";

/**
 * What a load would cost on GCP, priced by runtime/cost (prices and their sources live in
 * runtime/cost/prices.ts only). The load becomes a usage model: the base model's per-operation
 * figures (reads, writes, events, CPU-ms) with the load's mix, and daily active users chosen so
 * that the model's operations per second, spread over the whole day, equal the load's rate
 * (DAU-equivalent = rate × 86,400 / operationsPerUserPerDay). The month prices that rate held
 * around the clock; the run's own cost is that month scaled to the run's duration.
 */

/** Priced amounts per category and per subject (a Cloud Run service, `api`, `pubsub`, ...). */
export interface CostBreakdown {
  readonly monthlyUsd: number;
  readonly byCategory: Readonly<Record<CostCategory, number>>;
  readonly bySubject: ReadonlyArray<{
    readonly subject: string;
    readonly monthlyUsd: number;
    readonly unknownLines: number;
  }>;
  /** SKUs without a known price (counted as unknown, not as $0). */
  readonly unknownPrices: readonly string[];
  /**
   * What the unknown-priced lines would add at list prices quoted for other locations: shown
   * beside `monthlyUsd`, never in it.
   */
  readonly borrowed: CostEstimate["totals"]["borrowed"];
}

export interface LoadCostProjection extends CostBreakdown {
  readonly basis: string;
  readonly opsPerSecond: number;
  readonly dailyActiveUsersEquivalent: number;
  readonly operationsPerMonth: number;
  /** The run's duration at the monthly rate. */
  readonly runSeconds: number;
  readonly runUsd: number;
}

/** The base model with the load's mix and a DAU-equivalent of its rate. */
export function usageModelOfLoad(base: UsageModel, mix: Mix, opsPerSecond: number): UsageModel {
  const operationMix = Object.fromEntries(
    OPERATIONS.map((op) => [op, mix[op] / 100]),
  ) as UsageModel["operationMix"];
  const dailyActiveUsers = Math.max(
    1,
    Math.round((opsPerSecond * 86_400) / base.operationsPerUserPerDay),
  );
  return {
    ...base,
    name: `load at ${Math.round(opsPerSecond * 100) / 100} ops/s (${base.name} per-operation figures)`,
    dailyActiveUsers,
    operationMix,
  };
}

/** Sums an estimate by category and by subject. */
export function costBreakdown(estimate: CostEstimate): CostBreakdown {
  const categories = categoryTotals(estimate);
  const subjects = new Map<string, { usd: number; unknown: number }>();
  for (const l of estimate.lines) {
    const s = subjects.get(l.subject) ?? { usd: 0, unknown: 0 };
    if (l.monthlyUsd === null) s.unknown++;
    else s.usd += l.monthlyUsd;
    subjects.set(l.subject, s);
  }
  return {
    monthlyUsd: estimate.totals.totalUsd,
    byCategory: Object.fromEntries(
      Object.entries(categories).map(([c, t]) => [c, t.usd]),
    ) as Record<CostCategory, number>,
    bySubject: [...subjects.entries()]
      .map(([subject, s]) => ({ subject, monthlyUsd: roundCents(s.usd), unknownLines: s.unknown }))
      .sort((a, b) => b.monthlyUsd - a.monthlyUsd || (a.subject < b.subject ? -1 : 1)),
    unknownPrices: [
      ...new Set(
        estimate.lines.filter((l) => l.monthlyUsd === null).map((l) => l.sku ?? l.subject),
      ),
    ].sort(),
    borrowed: estimate.totals.borrowed,
  };
}

/** Prices the load (its mix at `opsPerSecond`) for a month and for `runSeconds`. */
export function projectLoadCost(
  base: UsageModel,
  mix: Mix,
  opsPerSecond: number,
  runSeconds: number,
): LoadCostProjection {
  const model = usageModelOfLoad(base, mix, opsPerSecond);
  const breakdown = costBreakdown(estimateUsage(model));
  return {
    ...breakdown,
    basis: model.name,
    opsPerSecond,
    dailyActiveUsersEquivalent: model.dailyActiveUsers,
    operationsPerMonth: Math.round(opsPerSecond * SECONDS_PER_MONTH),
    runSeconds,
    runUsd: roundCents((breakdown.monthlyUsd * runSeconds) / SECONDS_PER_MONTH),
  };
}

/** The scale report's 20M-user month (usage/20m.yaml), per category and per subject. */
export function twentyMillionProjection(
  model: UsageModel,
): CostBreakdown & { readonly model: string; readonly dailyActiveUsers: number } {
  return {
    model: model.name,
    dailyActiveUsers: model.dailyActiveUsers,
    ...costBreakdown(estimateUsage(model)),
  };
}
