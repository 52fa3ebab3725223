import { GEOGRAPHIES, GEOGRAPHY_IDS, REGIONS, type GeographyId } from "../topology";
import { deriveDemand } from "./demand";
import { notPricedLine, roundCents } from "./line";
import type { PricingMode } from "./prices";
import { locationOf, ruleFor, secretLocationCount, type RuleContext } from "./rules";
import type { CostEstimate, CostLine, PlannedResource } from "./types";
import { usageLines } from "./usage-costs";
import type { UsageModel } from "./usage";

/** Options of estimating one stack's plan. */
export interface PlanEstimateOptions {
  /** The stack's geography: its home region is the location of resources that name none. */
  readonly geography: GeographyId;
  /** Label of the estimate (the stack name). @default the geography's stack name */
  readonly label?: string;
  /** Adds usage-driven lines for the geography's share of this model's traffic. */
  readonly usage?: UsageModel;
  /** @default "strict" */
  readonly mode?: PricingMode;
}

/**
 * Sums the priced lines; unknown and not-priced lines are counted, not added. What unknown lines
 * would cost at another location's quote is summed apart as `borrowed`, never into the totals.
 */
export function totalsOf(lines: readonly CostLine[]): CostEstimate["totals"] {
  let fixedUsd = 0;
  let usageUsd = 0;
  let excludedLines = 0;
  let borrowedUsd = 0;
  let borrowedLines = 0;
  const borrowedAt = new Set<string>();
  for (const l of lines) {
    if (l.monthlyUsd === null) excludedLines += 1;
    else if (l.basis === "fixed") fixedUsd += l.monthlyUsd;
    else usageUsd += l.monthlyUsd;
    if (l.monthlyUsd === null && l.reference) {
      borrowedUsd += l.reference.monthlyUsd;
      borrowedLines += 1;
      borrowedAt.add(l.reference.location);
    }
  }
  return {
    fixedUsd: roundCents(fixedUsd),
    usageUsd: roundCents(usageUsd),
    totalUsd: roundCents(fixedUsd + usageUsd),
    excludedLines,
    borrowed: {
      usd: roundCents(borrowedUsd),
      lines: borrowedLines,
      locations: [...borrowedAt].sort(),
    },
  };
}

function byKey(a: CostLine, b: CostLine): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Prices a stack's planned resources: fixed lines from each resource's inputs, "not priced"
 * lines (one per type) for types without a rule, and, with a usage model, usage-driven lines.
 * Deterministic: the same resources and model give the same lines in the same order.
 */
export function estimatePlan(
  resources: readonly PlannedResource[],
  options: PlanEstimateOptions,
): CostEstimate {
  const geography = GEOGRAPHIES[options.geography];
  const mode = options.mode ?? "strict";
  const defaultLocation = REGIONS[geography.regions[0]].gcpRegion;
  const cloud = resources.filter((r) => r.custom !== false);
  const secretLocations = new Map<string, number>();
  for (const r of cloud) {
    if (r.type === "gcp:secretmanager/secret:Secret" && typeof r.inputs.secretId === "string") {
      secretLocations.set(r.inputs.secretId, secretLocationCount(r.inputs));
    }
  }
  const context: RuleContext = { defaultLocation, mode, secretLocations };
  const lines: CostLine[] = [];
  const unpriced = new Map<string, { count: number; location: string }>();
  for (const r of cloud) {
    const rule = ruleFor(r.type);
    if (rule) {
      lines.push(...rule(r, context));
      continue;
    }
    const seen = unpriced.get(r.type);
    unpriced.set(r.type, {
      count: (seen?.count ?? 0) + 1,
      location: seen?.location ?? locationOf(r.inputs, defaultLocation),
    });
  }
  for (const [type, { count, location }] of unpriced) {
    lines.push(notPricedLine(`fixed:${type}:not-priced`, location, type, count));
  }
  if (options.usage) {
    const demand = deriveDemand(options.usage, options.geography);
    lines.push(...usageLines(demand, options.usage, { mode, includeProvisioned: false }));
  }
  const sorted = lines.sort(byKey);
  return { label: options.label ?? geography.stack, lines: sorted, totals: totalsOf(sorted) };
}

/** Options of a usage-only estimate (no plan): what the model provisions is priced too. */
export interface UsageEstimateOptions {
  readonly label?: string;
  readonly geography?: GeographyId;
  /**
   * @default "strict": a location without a quote stays unknown and out of the totals; the
   * figure at the SKU's quoted location is carried beside it as borrowed.
   */
  readonly mode?: PricingMode;
}

/** Prices a usage model on its own: every geography (or one), including provisioned capacity. */
export function estimateUsage(model: UsageModel, options: UsageEstimateOptions = {}): CostEstimate {
  const demand = deriveDemand(model, options.geography);
  const lines = usageLines(demand, model, {
    mode: options.mode ?? "strict",
    includeProvisioned: true,
  }).sort(byKey);
  return { label: options.label ?? model.name, lines, totals: totalsOf(lines) };
}

/** A stack's plan as written to `out/plan/<stack>.json` (the fields pricing reads). */
export interface StackPlan {
  readonly stack: string;
  readonly geography: string;
  readonly resources: readonly PlannedResource[];
}

/** Prices a stack's plan file; throws naming the geography when it is not one of the topology's. */
export function estimateStack(plan: StackPlan, usage?: UsageModel): CostEstimate {
  if (!(GEOGRAPHY_IDS as readonly string[]).includes(plan.geography)) {
    throw new Error(
      `plan of ${plan.stack}: geography ${JSON.stringify(plan.geography)} is not one of ${GEOGRAPHY_IDS.join(", ")}`,
    );
  }
  return estimatePlan(plan.resources, {
    geography: plan.geography as GeographyId,
    label: plan.stack,
    usage,
  });
}
