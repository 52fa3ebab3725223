import { lookupPrice, type PricingMode } from "./prices";
import type { CostBasis, CostCategory, CostLine } from "./types";

/** What a rule or the usage model knows about a line before it is priced. */
export interface LineSpec {
  readonly key: string;
  readonly basis: CostBasis;
  readonly category: CostCategory;
  readonly location: string;
  readonly subject: string;
  readonly description: string;
  readonly sku: string;
  readonly quantity: number;
  readonly note?: string;
  readonly attribution?: CostLine["attribution"];
}

/** Prices `quantity` of the SKU in the line's location; unknown prices give a null amount. */
export function priceLine(spec: LineSpec, mode: PricingMode): CostLine {
  const lookup = lookupPrice(spec.sku, spec.location, mode);
  const unit = lookup.price?.unit ?? "";
  const notes = [spec.note, lookup.note].filter((n): n is string => Boolean(n));
  const note = notes.length > 0 ? notes.join("; ") : undefined;
  if (!lookup.known) {
    const reference =
      mode === "strict" ? lookupPrice(spec.sku, spec.location, "reference") : lookup;
    const line: CostLine = {
      ...spec,
      unit,
      unitUsd: null,
      monthlyUsd: null,
      status: "unknown-price",
      note,
    };
    if (!reference.known || reference.price.locations === "any") return line;
    return {
      ...line,
      reference: {
        monthlyUsd: roundCents(spec.quantity * reference.usdPerUnit),
        location: reference.price.locations[0],
      },
    };
  }
  return {
    ...spec,
    unit,
    unitUsd: lookup.usdPerUnit,
    monthlyUsd: roundCents(spec.quantity * lookup.usdPerUnit),
    status: "priced",
    note,
  };
}

/** A zero-cost line for a resource whose cost is usage-driven or free by its inputs. */
export function zeroLine(spec: Omit<LineSpec, "sku" | "quantity">, unit: string): CostLine {
  return { ...spec, quantity: 0, unit, unitUsd: null, monthlyUsd: 0, status: "priced" };
}

/** An explicit $0 line for a resource that has no charge of its own, marked free. */
export function freeLine(spec: Omit<LineSpec, "sku" | "quantity">, count: number): CostLine {
  return {
    ...spec,
    quantity: count,
    unit: "resources",
    unitUsd: 0,
    monthlyUsd: 0,
    status: "free",
  };
}

/** A line for a resource type that has no pricing rule. */
export function notPricedLine(
  key: string,
  location: string,
  type: string,
  count: number,
): CostLine {
  return {
    key,
    basis: "fixed",
    category: "other",
    location,
    subject: type,
    description: `${count} × ${type}`,
    quantity: count,
    unit: "resources",
    unitUsd: null,
    monthlyUsd: null,
    status: "not-priced",
    note: "not priced: no pricing rule for this resource type",
  };
}

/** Rounds to whole cents, so totals are exact sums of what the table shows. */
export function roundCents(usd: number): number {
  return Math.round(usd * 100) / 100;
}
