import type { Price } from "./prices";
import { COST_CATEGORIES, type CostEstimate, type CostLine } from "./types";

/** "$1,234.56"; negative amounts as "-$12.00". */
export function formatUsd(usd: number): string {
  const abs = Math.abs(usd).toLocaleString("en-US", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return `${usd < 0 ? "-" : ""}$${abs}`;
}

/** A signed delta: "+$12.00", "-$3.50", "$0.00". */
export function formatDeltaUsd(usd: number): string {
  return usd > 0 ? `+${formatUsd(usd)}` : formatUsd(usd);
}

/** A quantity with at most 2 decimals (or 6 significant digits below 1). */
export function formatQuantity(n: number | null): string {
  if (n === null) return "?";
  if (n !== 0 && Math.abs(n) < 1) return Number(n.toPrecision(4)).toString();
  return n.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** What a line's monthly column shows. */
export function amountOf(line: CostLine): string {
  if (line.status === "not-priced") return "not priced";
  if (line.status === "free") return "free";
  if (line.status === "unknown-price") return "unknown";
  return formatUsd(line.monthlyUsd ?? 0);
}

/** Renders rows as a left-aligned text table (the last column right-aligned unless told not to). */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  lastRight = true,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const render = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        lastRight && i === cells.length - 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]),
      )
      .join("  ")
      .trimEnd();
  return [render(header), render(widths.map((w) => "-".repeat(w))), ...rows.map(render)].join("\n");
}

function noteLines(estimate: CostEstimate): string[] {
  const notes = new Set<string>();
  for (const l of estimate.lines)
    if (l.monthlyUsd === null && l.note) notes.add(`${l.subject}: ${l.note}`);
  return [...notes].sort().map((n) => `  - ${n}`);
}

/**
 * What unknown-priced lines would add at list prices quoted for other locations, named as
 * borrowed; printed beside a total, never added to it. Empty when nothing is borrowed.
 */
export function borrowedNote(totals: CostEstimate["totals"]): string {
  const b = totals.borrowed;
  if (b.lines === 0) return "";
  return `borrowed, not in the total: ${b.lines} unknown-priced line${b.lines > 1 ? "s" : ""} would add ${formatUsd(b.usd)} at the list prices quoted for ${b.locations.join(", ")}`;
}

function totalLines(estimate: CostEstimate): string[] {
  const t = estimate.totals;
  const excluded =
    t.excludedLines > 0
      ? ` (${t.excludedLines} line${t.excludedLines > 1 ? "s" : ""} unknown or not priced, excluded)`
      : "";
  const freeTier =
    t.freeTierUsd !== undefined
      ? [`free tier deducted (per billing account, --free-tier): ${formatUsd(t.freeTierUsd)}`]
      : [];
  const borrowed = borrowedNote(t);
  return [
    `fixed ${formatUsd(t.fixedUsd)} + usage-driven ${formatUsd(t.usageUsd)} = ${formatUsd(t.totalUsd)}/month${excluded}`,
    ...freeTier,
    ...(borrowed ? [borrowed] : []),
  ];
}

/** Every line of an estimate, with totals and the notes of excluded lines. */
export function formatCostTable(estimate: CostEstimate): string {
  const rows = estimate.lines.map((l) => [
    l.basis,
    l.category,
    l.location,
    l.description,
    `${formatQuantity(l.quantity)} ${l.unit}`.trim(),
    l.unitUsd === null ? "" : `$${unitPrice(l.unitUsd)}`,
    amountOf(l),
  ]);
  const table = textTable(
    ["basis", "category", "location", "line", "quantity", "unit price", "monthly"],
    rows,
  );
  const notes = noteLines(estimate);
  return [
    `Cost estimate: ${estimate.label}`,
    table,
    ...totalLines(estimate),
    ...(notes.length > 0 ? ["Excluded from totals:", ...notes] : []),
  ].join("\n");
}

/** Monthly totals by category, fixed and usage-driven side by side. */
export function formatCostSummary(estimate: CostEstimate): string {
  const rows = COST_CATEGORIES.flatMap((category) => {
    const lines = estimate.lines.filter((l) => l.category === category);
    if (lines.length === 0) return [];
    const sum = (basis: CostLine["basis"]) =>
      lines.filter((l) => l.basis === basis).reduce((t, l) => t + (l.monthlyUsd ?? 0), 0);
    const excluded = lines.filter((l) => l.monthlyUsd === null).length;
    return [
      [
        category,
        formatUsd(sum("fixed")),
        formatUsd(sum("usage")),
        excluded > 0 ? String(excluded) : "",
        formatUsd(sum("fixed") + sum("usage")),
      ],
    ];
  });
  return [
    `Cost estimate: ${estimate.label}`,
    textTable(["category", "fixed", "usage-driven", "excluded lines", "monthly"], rows),
    ...totalLines(estimate),
  ].join("\n");
}

/** A unit price to 4 significant digits, in plain decimals ($0.0000006, never $6e-7). */
function unitPrice(usd: number): string {
  const rounded = Number(usd.toPrecision(4));
  if (rounded === 0 || Math.abs(rounded) >= 1e-6) return String(rounded);
  const digits = Math.min(20, 3 - Math.floor(Math.log10(Math.abs(rounded))));
  return rounded.toFixed(digits).replace(/\.?0+$/, "");
}

/** The price table with each figure's unit, locations and source, unknown prices included. */
export function formatPriceTable(prices: readonly Price[]): string {
  const rows = prices.map((p) => [
    p.sku,
    p.locations === "any" ? "any" : p.locations.join(","),
    p.usd === null
      ? "unknown"
      : `$${p.usd} per ${p.per === 1 ? "" : `${p.per.toLocaleString("en-US")} `}${p.unit}`,
    `${p.source.url} (${p.source.taken}${p.source.pageDate ? `, page ${p.source.pageDate}` : ""})`,
  ]);
  return textTable(["sku", "locations", "price", "source (taken, page date)"], rows, false);
}
