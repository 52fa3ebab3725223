import { HOURS_PER_MONTH } from "./defaults";
import { totalsOf } from "./estimate";
import { roundCents } from "./line";
import { lookupPrice } from "./prices";
import type { CostEstimate, CostLine } from "./types";

/**
 * Free tiers, deducted only when asked (`--free-tier`): the list prices stay the default because
 * a free tier is shared by everything on one billing account (or one project), not owned by a
 * resource. Each allowance is per month, in the SKU's own unit, with the page that states it.
 */

/** Who shares an allowance: every stack on the billing account, or each stack's project. */
export type FreeTierScope = "billing-account" | "project";

export interface FreeAllowance {
  readonly sku: string;
  /** Units free per month (in the table's unit of the SKU). */
  readonly units: number;
  readonly scope: FreeTierScope;
  readonly source: string;
  /**
   * Price the deduction at this location's rate (Cloud Run applies its free tier as a spending
   * discount at Tier 1 prices, whatever the region).
   */
  readonly pricedAt?: string;
}

const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

/** The allowances deducted by `applyFreeTier`. */
export const FREE_ALLOWANCES: readonly FreeAllowance[] = [
  ...(
    [
      ["run.cpu", 180_000],
      ["run.memory", 360_000],
      ["run.requests", 2_000_000],
    ] as const
  ).map(([sku, units]) => ({
    sku,
    units,
    scope: "billing-account" as const,
    source: "https://cloud.google.com/run/pricing",
    pricedAt: "us-central1",
  })),
  ...(
    [
      ["firestore.reads", 50_000 * DAYS_PER_MONTH],
      ["firestore.writes", 20_000 * DAYS_PER_MONTH],
      ["firestore.deletes", 20_000 * DAYS_PER_MONTH],
      ["firestore.storage", 1],
    ] as const
  ).map(([sku, units]) => ({
    sku,
    units,
    scope: "project" as const,
    source: "https://cloud.google.com/firestore/pricing (daily quota × days, one database)",
  })),
  {
    sku: "logging.ingestion",
    units: 50,
    scope: "project",
    source: "https://cloud.google.com/stackdriver/pricing",
  },
  {
    sku: "monitoring.metrics",
    units: 150,
    scope: "billing-account",
    source: "https://cloud.google.com/stackdriver/pricing",
  },
  {
    sku: "secretmanager.version",
    units: 6,
    scope: "billing-account",
    source: "https://cloud.google.com/secret-manager/pricing",
  },
  {
    sku: "secretmanager.access",
    units: 10_000,
    scope: "billing-account",
    source: "https://cloud.google.com/secret-manager/pricing",
  },
  {
    sku: "bigquery.on-demand",
    units: 1,
    scope: "billing-account",
    source: "https://cloud.google.com/bigquery/pricing",
  },
];

function deduct(
  line: CostLine,
  allowance: FreeAllowance,
  remaining: Map<FreeAllowance, number>,
): CostLine {
  const left = remaining.get(allowance) ?? 0;
  if (line.monthlyUsd === null || line.quantity === null || left <= 0 || line.unitUsd === null) {
    return line;
  }
  const units = Math.min(left, line.quantity);
  remaining.set(allowance, left - units);
  const rate = allowance.pricedAt
    ? lookupPrice(allowance.sku, allowance.pricedAt)
    : { known: true as const, usdPerUnit: line.unitUsd };
  const perUnit = rate.known ? Math.min(rate.usdPerUnit, line.unitUsd) : line.unitUsd;
  const off = Math.min(line.monthlyUsd, roundCents(units * perUnit));
  const note = `free tier (${allowance.scope}): ${units.toLocaleString("en-US")} ${line.unit} deducted`;
  return {
    ...line,
    monthlyUsd: roundCents(line.monthlyUsd - off),
    note: line.note ? `${line.note}; ${note}` : note,
  };
}

/**
 * Deducts the free allowances from estimates that share one billing account (one estimate per
 * project/stack, in order): billing-account allowances are used up across all of them, project
 * allowances once per estimate. Totals are recomputed and carry `freeTierUsd`, the amount taken.
 */
export function applyFreeTier(estimates: readonly CostEstimate[]): CostEstimate[] {
  const account = new Map(
    FREE_ALLOWANCES.filter((a) => a.scope === "billing-account").map((a) => [a, a.units]),
  );
  return estimates.map((estimate) => {
    const remaining = new Map<FreeAllowance, number>([
      ...account,
      ...FREE_ALLOWANCES.filter((a) => a.scope === "project").map((a): [FreeAllowance, number] => [
        a,
        a.units,
      ]),
    ]);
    const lines = estimate.lines.map((line) => {
      const allowance = FREE_ALLOWANCES.find((a) => a.sku === line.sku);
      return allowance ? deduct(line, allowance, remaining) : line;
    });
    for (const a of account.keys()) account.set(a, remaining.get(a) ?? 0);
    const before = estimate.totals.totalUsd;
    const totals = totalsOf(lines);
    return {
      ...estimate,
      lines,
      totals: { ...totals, freeTierUsd: roundCents(before - totals.totalUsd) },
    };
  });
}
