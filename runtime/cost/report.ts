import { z } from "zod";
import { categoryTotals, type Projection } from "./projection";
import { PRICES } from "./prices";
import { ATTRIBUTION_KINDS, COST_CATEGORIES, type CostEstimate } from "./types";

/**
 * The machine-readable cost report: what `avalo cost --format json` prints and what the
 * preview's JSON carries in its cost section, for a CI bot or a dashboard. Versioned: a field is
 * never renamed or repurposed within one `schema` value; a breaking change bumps it.
 *
 * - `stacks[]`: one estimate per stack plan (fixed lines from the plan's inputs, usage lines for
 *   the stack's share of the usage model), every line with its status, location, SKU, quantity,
 *   unit price and, where known, what it is attributed to (a service, topic, bucket, database,
 *   cache or resource).
 * - `totals` hold priced lines only. `totals.borrowed` is what unknown-priced lines would add at
 *   another location's list price: reported beside the totals, never inside them.
 * - `projection` (with `--usage`): the usage model priced on its own, as designed and naive.
 */

/** The schema id of this version. */
export const COST_REPORT_SCHEMA = "avalo.cost-report/v1" as const;

const usd = z.number();

/** One cost line (runtime/cost/types.ts `CostLine`). */
export const costLineSchema = z.strictObject({
  key: z.string(),
  basis: z.enum(["fixed", "usage"]),
  category: z.enum(COST_CATEGORIES),
  location: z.string(),
  subject: z.string(),
  description: z.string(),
  sku: z.string().optional(),
  quantity: z.number().nullable(),
  unit: z.string(),
  unitUsd: z.number().nullable(),
  monthlyUsd: usd.nullable(),
  status: z.enum(["priced", "free", "unknown-price", "not-priced"]),
  note: z.string().optional(),
  attribution: z.strictObject({ kind: z.enum(ATTRIBUTION_KINDS), name: z.string() }).optional(),
  reference: z.strictObject({ monthlyUsd: usd, location: z.string() }).optional(),
});

/** Totals of an estimate (runtime/cost/types.ts `CostEstimate["totals"]`). */
export const costTotalsSchema = z.strictObject({
  fixedUsd: usd,
  usageUsd: usd,
  totalUsd: usd,
  excludedLines: z.number().int().min(0),
  borrowed: z.strictObject({
    usd,
    lines: z.number().int().min(0),
    locations: z.array(z.string()).readonly(),
  }),
  freeTierUsd: usd.optional(),
});

/** One priced estimate. */
export const costEstimateSchema = z.strictObject({
  label: z.string(),
  lines: z.array(costLineSchema).readonly(),
  totals: costTotalsSchema,
});

const byCategorySchema = z.record(
  z.enum(COST_CATEGORIES),
  z.strictObject({ usd, excluded: z.number().int().min(0) }),
);

/** A stack's section. */
export const stackCostSchema = z.strictObject({
  stack: z.string(),
  geography: z.string(),
  /** The usage model priced with the plan, or null for fixed costs only. */
  usageModel: z.string().nullable(),
  byCategory: byCategorySchema,
  estimate: costEstimateSchema,
});

/** The whole report. */
export const costReportSchema = z.strictObject({
  schema: z.literal(COST_REPORT_SCHEMA),
  prices: z.strictObject({
    /** Where the table lives, and the date of its last catalog refresh (null: never). */
    table: z.string(),
    refreshed: z.string().nullable(),
  }),
  freeTier: z.boolean(),
  stacks: z.array(stackCostSchema).readonly(),
  projection: z
    .strictObject({
      model: z.string(),
      dailyActiveUsers: z.number().int().positive(),
      byCategory: byCategorySchema,
      optimized: costEstimateSchema,
      naive: costEstimateSchema,
    })
    .optional(),
});
export type CostReport = z.infer<typeof costReportSchema>;
export type StackCost = z.infer<typeof stackCostSchema>;

/** The report's JSON Schema (draft 2020-12), for consumers outside TypeScript. */
export function costReportJsonSchema(): unknown {
  return z.toJSONSchema(costReportSchema);
}

/** A stack's section of the report. */
export function stackCost(
  stack: string,
  geography: string,
  usageModel: string | null,
  estimate: CostEstimate,
): StackCost {
  return { stack, geography, usageModel, byCategory: categoryTotals(estimate), estimate };
}

/** Date of the last catalog refresh among the table's figures, or null. */
export function pricesRefreshed(): string | null {
  const dates = PRICES.filter((p) => p.source.url.includes("billing/docs/reference")).map(
    (p) => p.source.taken,
  );
  return dates.length > 0 ? [...dates].sort().at(-1)! : null;
}

/** Builds the report; the result is parsed by its schema, so it cannot drift from it. */
export function costReport(
  stacks: readonly StackCost[],
  projection?: Projection,
  freeTier = false,
): CostReport {
  return costReportSchema.parse({
    schema: COST_REPORT_SCHEMA,
    prices: { table: "runtime/cost/prices.ts", refreshed: pricesRefreshed() },
    freeTier,
    stacks,
    ...(projection
      ? {
          projection: {
            model: projection.model.name,
            dailyActiveUsers: projection.model.dailyActiveUsers,
            byCategory: categoryTotals(projection.optimized),
            optimized: projection.optimized,
            naive: projection.naive,
          },
        }
      : {}),
  });
}
