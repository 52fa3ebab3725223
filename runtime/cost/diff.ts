import { TOP_CHANGED_LINES } from "./defaults";
import { amountOf, formatDeltaUsd, formatQuantity, formatUsd } from "./format";
import { roundCents } from "./line";
import type { CostEstimate, CostLine } from "./types";

/** One line that differs between a base and a head estimate. */
export interface CostLineChange {
  readonly key: string;
  readonly kind: "added" | "removed" | "changed";
  readonly description: string;
  readonly base?: CostLine;
  readonly head?: CostLine;
  /** Head minus base in US dollars; null when either side's price is unknown. */
  readonly deltaUsd: number | null;
  /**
   * When `deltaUsd` is null but both sides are priced or carry a reference price (a list price
   * quoted for another location): the delta at those prices, and that location. Never in totals.
   */
  readonly reference?: { readonly deltaUsd: number; readonly location: string };
}

/** The monthly cost difference between a base and a head estimate of the same stack. */
export interface CostDiff {
  readonly label: string;
  readonly baseTotalUsd: number;
  readonly headTotalUsd: number;
  readonly deltaUsd: number;
  /** Changed lines, largest absolute dollar change first, then unknown-priced changes. */
  readonly changes: readonly CostLineChange[];
}

function usdOf(line: CostLine | undefined): number | null {
  if (!line) return 0;
  return line.monthlyUsd;
}

/** A line's monthly amount at its own price or, failing that, at its reference price. */
function referenceUsdOf(line: CostLine | undefined): number | null {
  if (!line) return 0;
  return line.monthlyUsd ?? line.reference?.monthlyUsd ?? null;
}

function referenceDelta(
  b: CostLine | undefined,
  h: CostLine | undefined,
): CostLineChange["reference"] {
  const location = h?.reference?.location ?? b?.reference?.location;
  const bu = referenceUsdOf(b);
  const hu = referenceUsdOf(h);
  if (location === undefined || bu === null || hu === null) return undefined;
  return { deltaUsd: roundCents(hu - bu), location };
}

function sameLine(a: CostLine, b: CostLine): boolean {
  return a.quantity === b.quantity && a.monthlyUsd === b.monthlyUsd && a.status === b.status;
}

/** Compares two estimates line by line (by key). */
export function diffEstimates(base: CostEstimate, head: CostEstimate): CostDiff {
  const baseLines = new Map(base.lines.map((l) => [l.key, l]));
  const headLines = new Map(head.lines.map((l) => [l.key, l]));
  const keys = [...new Set([...baseLines.keys(), ...headLines.keys()])].sort();
  const changes: CostLineChange[] = [];
  for (const key of keys) {
    const b = baseLines.get(key);
    const h = headLines.get(key);
    if (b && h && sameLine(b, h)) continue;
    const bu = usdOf(b);
    const hu = usdOf(h);
    const deltaUsd = bu === null || hu === null ? null : roundCents(hu - bu);
    const reference = deltaUsd === null ? referenceDelta(b, h) : undefined;
    changes.push({
      key,
      kind: !b ? "added" : !h ? "removed" : "changed",
      description: (h ?? b)?.description ?? key,
      base: b,
      head: h,
      deltaUsd,
      ...(reference ? { reference } : {}),
    });
  }
  changes.sort((x, y) => {
    const ax = x.deltaUsd === null ? -1 : Math.abs(x.deltaUsd);
    const ay = y.deltaUsd === null ? -1 : Math.abs(y.deltaUsd);
    return ay - ax || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
  });
  return {
    label: head.label,
    baseTotalUsd: base.totals.totalUsd,
    headTotalUsd: head.totals.totalUsd,
    deltaUsd: roundCents(head.totals.totalUsd - base.totals.totalUsd),
    changes,
  };
}

function side(line: CostLine | undefined): string {
  if (!line) return "—";
  const quantity = line.quantity === null ? "" : ` (${formatQuantity(line.quantity)} ${line.unit})`;
  return `${amountOf(line)}${quantity}`;
}

function unknownNote(d: CostDiff): string {
  const unknown = d.changes.filter((c) => c.deltaUsd === null);
  if (unknown.length === 0) return "";
  const n = unknown.length;
  const referenced = unknown.filter((c) => c.reference);
  const atReference =
    referenced.length > 0
      ? `; ${formatDeltaUsd(roundCents(referenced.reduce((sum, c) => sum + c.reference!.deltaUsd, 0)))} of it at list prices quoted for ${[...new Set(referenced.map((c) => c.reference!.location))].join(", ")}, not in the totals`
      : "";
  return ` (+${n} line${n > 1 ? "s" : ""} with unknown price changed${atReference})`;
}

function changeDelta(c: CostLineChange): string {
  if (c.deltaUsd !== null) return formatDeltaUsd(c.deltaUsd);
  if (!c.reference) return "unknown";
  return `unknown (${formatDeltaUsd(c.reference.deltaUsd)} at the ${c.reference.location} list price)`;
}

/**
 * Markdown for a pull-request comment: the monthly delta per stack and its top changed lines.
 */
export function formatCostDiffMarkdown(
  diffs: CostDiff | readonly CostDiff[],
  options: { readonly top?: number } = {},
): string {
  const list = Array.isArray(diffs) ? (diffs as readonly CostDiff[]) : [diffs as CostDiff];
  const top = options.top ?? TOP_CHANGED_LINES;
  const out = [
    "### Monthly cost",
    "",
    "| stack | base | head | delta |",
    "|---|---:|---:|---:|",
    ...list.map(
      (d) =>
        `| ${d.label} | ${formatUsd(d.baseTotalUsd)} | ${formatUsd(d.headTotalUsd)} | ${formatDeltaUsd(d.deltaUsd)}${unknownNote(d)} |`,
    ),
  ];
  for (const d of list) {
    if (d.changes.length === 0) continue;
    out.push(
      "",
      `#### ${d.label}: top changed lines`,
      "",
      "| line | base | head | delta |",
      "|---|---:|---:|---:|",
    );
    for (const c of d.changes.slice(0, top)) {
      out.push(`| ${c.description} | ${side(c.base)} | ${side(c.head)} | ${changeDelta(c)} |`);
    }
    if (d.changes.length > top) out.push("", `…and ${d.changes.length - top} more changed lines.`);
  }
  return out.join("\n") + "\n";
}
