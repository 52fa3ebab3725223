/**
 * Shapes shared by the cost estimate: the minimal view of a planned resource that the pricing
 * rules read, and the priced lines they produce. Plain data; no Pulumi and no plan format.
 */

/** The part of a planned resource that pricing reads (a plan resource satisfies it). */
export interface PlannedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Components (`false`) are skipped; cloud resources are `true` or leave it unset. */
  readonly custom?: boolean;
}

/** Lines grouped the way the scale report breaks its projection down, plus `other`. */
export const COST_CATEGORIES = [
  "compute",
  "firestore",
  "cloudrun",
  "pubsub",
  "redis",
  "storage",
  "other",
] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

/** Whether a line follows from the plan's inputs or from the usage model. */
export type CostBasis = "fixed" | "usage";

/**
 * `priced`: quantity × known unit price. `free`: the resource type has no charge of its own
 * (IAM, service accounts, networks, API enablement): an explicit $0 line. `unknown-price`: the
 * quantity is known but no public price was found for that SKU and location, so the line stays
 * out of totals. `not-priced`: the resource type has no pricing rule.
 */
export type CostStatus = "priced" | "free" | "unknown-price" | "not-priced";

/** What a cost line can be attributed to. */
export const ATTRIBUTION_KINDS = [
  "service",
  "topic",
  "bucket",
  "database",
  "cache",
  "resource",
] as const;
export type AttributionKind = (typeof ATTRIBUTION_KINDS)[number];

/** One line of an estimate: a quantity of one SKU in one location, per month. */
export interface CostLine {
  /** Stable identity across estimates, used to diff a base against a head. */
  readonly key: string;
  readonly basis: CostBasis;
  readonly category: CostCategory;
  /** GCP location the line is priced in (region, multi-region or `global`). */
  readonly location: string;
  /** Resource type (fixed lines) or the usage component (usage lines). */
  readonly subject: string;
  /** What is being bought, in words. */
  readonly description: string;
  readonly sku?: string;
  readonly quantity: number | null;
  readonly unit: string;
  /** US dollars per `unit`, when known. */
  readonly unitUsd: number | null;
  /** Monthly US dollars; null when the price is unknown or the type is not priced. */
  readonly monthlyUsd: number | null;
  readonly status: CostStatus;
  /** Why a line is unknown, not priced or rests on an assumption. */
  readonly note?: string;
  /**
   * What the line is attributed to, where the plan or the usage model knows it: a Cloud Run
   * service, a Pub/Sub topic, a bucket, a database or a resource name.
   */
  readonly attribution?: { readonly kind: AttributionKind; readonly name: string };
  /**
   * For an `unknown-price` line whose SKU is quoted elsewhere: what it would cost at that other
   * location's list price. Shown beside the line and in diffs, never added to any total.
   */
  readonly reference?: { readonly monthlyUsd: number; readonly location: string };
}

/** A priced set of lines with totals of the priced ones. */
export interface CostEstimate {
  /** Label of what was estimated: a stack name or a usage model name. */
  readonly label: string;
  readonly lines: readonly CostLine[];
  readonly totals: {
    readonly fixedUsd: number;
    readonly usageUsd: number;
    readonly totalUsd: number;
    /** Lines left out of the totals (unknown price or not priced). */
    readonly excludedLines: number;
    /**
     * What the unknown-priced lines would add at list prices quoted for other locations:
     * shown beside the totals, named as borrowed, never added to them.
     */
    readonly borrowed: {
      readonly usd: number;
      readonly lines: number;
      readonly locations: readonly string[];
    };
    /** Free-tier deduction, only when asked for (`--free-tier`); already in the totals. */
    readonly freeTierUsd?: number;
  };
}
