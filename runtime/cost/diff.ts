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
    changes.push({
      key,
      kind: !b ? "added" : !h ? "removed" : "changed",
      description: (h ?? b)?.description ?? key,
      base: b,
      head: h,
      deltaUsd: bu === null || hu === null ? null : roundCents(hu - bu),
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
  const n = d.changes.filter((c) => c.deltaUsd === null).length;
  return n > 0 ? ` (+${n} line${n > 1 ? "s" : ""} with unknown price changed)` : "";
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
      const delta = c.deltaUsd === null ? "unknown" : formatDeltaUsd(c.deltaUsd);
      out.push(`| ${c.description} | ${side(c.base)} | ${side(c.head)} | ${delta} |`);
    }
    if (d.changes.length > top) out.push("", `…and ${d.changes.length - top} more changed lines.`);
  }
  return out.join("\n") + "\n";
}
