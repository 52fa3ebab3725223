import { SERVICE_SECRET_VARIABLES } from "../services/container";
import { estimateUsage } from "./estimate";
import { borrowedNote, formatUsd, textTable } from "./format";
import { roundCents } from "./line";
import { COST_CATEGORIES, type CostCategory, type CostEstimate } from "./types";
import { naiveVariant, type UsageModel } from "./usage";

/**
 * The usage model's projection next to the scale report's: the same breakdown, the naive variant
 * (no cache, single-document counters, one minimum instance everywhere) and growth across models.
 */

/** The scale report's 20M-user monthly projection ("Cost projections", optimized architecture). */
export const SCALE_REPORT_20M: Readonly<Record<CostCategory, number | null>> & {
  readonly total: number;
} = {
  compute: 15_000,
  firestore: 25_000,
  cloudrun: 10_000,
  pubsub: 5_000,
  redis: 2_000,
  storage: 3_000,
  other: null,
  total: 60_000,
};

/** The report's figure for the same traffic without its optimizations. */
export const SCALE_REPORT_20M_UNOPTIMIZED = 150_000;

/** What each category covers, in the report's words where it has them. */
export const CATEGORY_LABELS: Readonly<Record<CostCategory, string>> = {
  compute: "compute (API handlers; report: Firebase Functions)",
  firestore: "Firestore",
  cloudrun: "Cloud Run services",
  pubsub: "Pub/Sub",
  redis: "Redis / Memorystore",
  storage: "Cloud Storage",
  other: "other (BigQuery, Monitoring, Logging, networking, secrets, KMS)",
};

/** Per category: priced dollars and how many lines were left out for an unknown price. */
export type CategoryTotals = Readonly<
  Record<CostCategory, { readonly usd: number; readonly excluded: number }>
>;

/** Sums an estimate's lines by category. */
export function categoryTotals(estimate: CostEstimate): CategoryTotals {
  const totals = Object.fromEntries(
    COST_CATEGORIES.map((c) => [c, { usd: 0, excluded: 0 }]),
  ) as Record<CostCategory, { usd: number; excluded: number }>;
  for (const l of estimate.lines) {
    if (l.monthlyUsd === null) totals[l.category].excluded += 1;
    else totals[l.category].usd += l.monthlyUsd;
  }
  for (const c of COST_CATEGORIES) totals[c].usd = roundCents(totals[c].usd);
  return totals;
}

/** The category with the most priced dollars, and its share of the total. */
export function dominantCategory(estimate: CostEstimate): {
  category: CostCategory;
  share: number;
} {
  const totals = categoryTotals(estimate);
  const category = [...COST_CATEGORIES].sort((a, b) => totals[b].usd - totals[a].usd)[0];
  const total = estimate.totals.totalUsd;
  return { category, share: total > 0 ? totals[category].usd / total : 0 };
}

/** The single biggest line, summed over locations (`firestore:writes`, `api:cpu`, ...). */
export function dominantLine(estimate: CostEstimate): {
  component: string;
  usd: number;
  share: number;
} {
  const sums = new Map<string, number>();
  for (const l of estimate.lines) {
    const component = l.key.split(":").slice(2).join(":") || l.key;
    sums.set(component, (sums.get(component) ?? 0) + (l.monthlyUsd ?? 0));
  }
  const [component, usd] = [...sums.entries()].sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
  )[0] ?? ["", 0];
  const total = estimate.totals.totalUsd;
  return { component, usd: roundCents(usd), share: total > 0 ? usd / total : 0 };
}

/** A model priced as designed and as the naive variant. */
export interface Projection {
  readonly model: UsageModel;
  readonly optimized: CostEstimate;
  readonly naive: CostEstimate;
}

/** Prices a model and its naive variant (strict pricing, all geographies). */
export function project(model: UsageModel): Projection {
  return { model, optimized: estimateUsage(model), naive: estimateUsage(naiveVariant(model)) };
}

function cell(t: { usd: number; excluded: number }): string {
  return t.excluded > 0 ? `${formatUsd(t.usd)} (+${t.excluded} unknown)` : formatUsd(t.usd);
}

/** The projection broken down like the scale report, beside the report's figures. */
export function formatReportComparison(p: Projection): string {
  const ours = categoryTotals(p.optimized);
  const naive = categoryTotals(p.naive);
  const rows = COST_CATEGORIES.map((c) => [
    CATEGORY_LABELS[c],
    SCALE_REPORT_20M[c] === null ? "—" : formatUsd(SCALE_REPORT_20M[c] as number),
    cell(ours[c]),
    cell(naive[c]),
    formatUsd(roundCents(naive[c].usd - ours[c].usd)),
  ]);
  rows.push([
    "total",
    formatUsd(SCALE_REPORT_20M.total),
    formatUsd(p.optimized.totals.totalUsd),
    formatUsd(p.naive.totals.totalUsd),
    formatUsd(roundCents(p.naive.totals.totalUsd - p.optimized.totals.totalUsd)),
  ]);
  const users = p.model.dailyActiveUsers.toLocaleString("en-US");
  const unknown = [
    ...new Set(
      p.optimized.lines.filter((l) => l.monthlyUsd === null).map((l) => l.sku ?? l.subject),
    ),
  ].sort();
  return [
    `Monthly projection: ${p.model.name} (${users} daily active users), beside the scale report's 20M figures`,
    textTable(["line", "scale report", "this model", "naive variant", "naive − model"], rows),
    `The report's unoptimized figure is ${formatUsd(SCALE_REPORT_20M_UNOPTIMIZED)}; its projection counts no BigQuery, Monitoring, logging or networking.`,
    "Prices: list prices from runtime/cost/prices.ts for each line's own location; a line whose",
    "location has no quote is unknown and out of every total (counted, not $0).",
    ...(unknown.length > 0 ? [`Unknown prices (not in totals): ${unknown.join(", ")}`] : []),
    ...(borrowedNote(p.optimized.totals) ? [borrowedNote(p.optimized.totals)] : []),
    ...loggingAndEgress(p.optimized),
    ...assumptionLines(p.model),
  ].join("\n");
}

/** Logging and egress lines summed by component (they sit inside the categories above). */
export function loggingAndEgress(estimate: CostEstimate): string[] {
  const sum = (component: string) => {
    const lines = estimate.lines.filter((l) => l.key.split(":").slice(2).join(":") === component);
    const usd = roundCents(lines.reduce((t, l) => t + (l.monthlyUsd ?? 0), 0));
    const unknown = lines.filter((l) => l.monthlyUsd === null).length;
    return `${formatUsd(usd)}${unknown > 0 ? ` (+${unknown} unknown)` : ""}`;
  };
  return [
    `Of which Cloud Logging: audit ingestion ${sum("logging:audit-ingestion")}, audit retention ${sum("logging:audit-retention")}, request logs ${sum("logging:request-ingestion")};`,
    `internet egress: media ${sum("egress:media")} (CDN ${sum("egress:media-cdn")}), API responses ${sum("egress:api")}; inter-region ${sum("network:inter-region")}.`,
  ];
}

/** The usage model's logging, egress and secret assumptions, as the projection states them. */
export function assumptionLines(model: UsageModel): string[] {
  const l = model.logging;
  const e = model.egress;
  return [
    `Assumptions (${model.name}): ${l.auditEntriesPerOperation} Data Access audit entries per operation + 1 per publish request, ${l.bytesPerAuditEntry} B each, kept ${l.auditRetentionDays} days; ${l.requestLogBytes} B of request log per Cloud Run request;`,
    `  ${e.bytesPerMediaRead} B per media read, ${Math.round(e.cdnShare * 100)}% served by a CDN; ${e.apiResponseBytes} B of API response per operation; ${model.pubsub.messagesPerPublishRequest} message${model.pubsub.messagesPerPublishRequest > 1 ? "s" : ""} per publish request.`,
    ...(model.secrets
      ? [
          `  A service instance starts per ${model.secrets.servingMinutesPerInstanceStart} serving minutes; one of a service that uses Redis reads the cache's ${SERVICE_SECRET_VARIABLES.length} secrets at each start, ${model.secrets.kmsDecryptsPerAccess} Cloud KMS decrypt per access.`,
        ]
      : []),
  ];
}

/**
 * The projection as a markdown table (category, the report, this model, the naive variant),
 * with the totals, the unknown-priced lines and the borrowed figure beside: the README's table
 * is this output, regenerated by `npm run cost:readme` and checked by a test.
 */
export function formatReportMarkdown(p: Projection): string {
  const ours = categoryTotals(p.optimized);
  const naive = categoryTotals(p.naive);
  const whole = (usd: number) => formatUsd(Math.round(usd)).replace(/\.00$/, "");
  const mdCell = (t: { usd: number; excluded: number }) =>
    t.excluded > 0 ? `${whole(t.usd)} (+${t.excluded} unknown)` : whole(t.usd);
  const rows = COST_CATEGORIES.map(
    (c) =>
      `| ${CATEGORY_LABELS[c]} | ${SCALE_REPORT_20M[c] === null ? "—" : whole(SCALE_REPORT_20M[c] as number)} | ${mdCell(ours[c])} | ${mdCell(naive[c])} |`,
  );
  const unknown = [
    ...new Set(
      p.optimized.lines.filter((l) => l.monthlyUsd === null).map((l) => l.sku ?? l.subject),
    ),
  ].sort();
  const borrowed = borrowedNote(p.optimized.totals);
  return [
    "| line | scale report | this model | naive variant |",
    "| --- | ---: | ---: | ---: |",
    ...rows,
    `| **total** | **${whole(SCALE_REPORT_20M.total)}** | **${whole(p.optimized.totals.totalUsd)}** | **${whole(p.naive.totals.totalUsd)}** |`,
    "",
    ...(unknown.length > 0 ? [`Unknown prices (not in totals): ${unknown.join(", ")}.`, ""] : []),
    ...(borrowed ? [`${borrowed[0].toUpperCase()}${borrowed.slice(1)}.`, ""] : []),
    ...loggingAndEgress(p.optimized),
    "",
    ...assumptionLines(p.model).map((a) => a.trim()),
  ].join("\n");
}

/** Growth across models (10K → 1M → 20M): totals, savings and the dominant line at each scale. */
export function formatGrowth(projections: readonly Projection[]): string {
  const rows = projections.map((p) => {
    const dominant = dominantCategory(p.optimized);
    const line = dominantLine(p.optimized);
    const saving = p.naive.totals.totalUsd - p.optimized.totals.totalUsd;
    const perUser = p.optimized.totals.totalUsd / p.model.dailyActiveUsers;
    return [
      p.model.name,
      p.model.dailyActiveUsers.toLocaleString("en-US"),
      formatUsd(p.optimized.totals.totalUsd),
      `$${perUser.toFixed(4)}`,
      formatUsd(p.naive.totals.totalUsd),
      `${formatUsd(roundCents(saving))} (${p.naive.totals.totalUsd > 0 ? Math.round((100 * saving) / p.naive.totals.totalUsd) : 0}%)`,
      `${dominant.category} ${Math.round(dominant.share * 100)}%`,
      `${line.component} ${Math.round(line.share * 100)}%`,
    ];
  });
  return [
    "Growth: the model as designed vs. the naive variant (no cache, single-document counters, min instances 1)",
    textTable(
      [
        "model",
        "daily users",
        "monthly",
        "per user",
        "naive",
        "saved by design",
        "dominant category",
        "biggest line",
      ],
      rows,
    ),
  ].join("\n");
}

/** Where the design's saving comes from at one scale: each lever switched off on its own. */
export function formatSavingsByLever(model: UsageModel): string {
  const base = estimateUsage(model).totals.totalUsd;
  const levers: Array<[string, UsageModel]> = [
    ["no cache (every cacheable read goes to Firestore)", { ...model, cache: { hitRatio: 0 } }],
    [
      "single-document counters (transactions retry under contention)",
      { ...model, counters: { ...model.counters, sharded: false } },
    ],
    [
      "min instances 1 (no scale to zero)",
      {
        ...model,
        cloudRun: { ...model.cloudRun, minInstances: Math.max(1, model.cloudRun.minInstances) },
      },
    ],
  ];
  const rows = levers.map(([label, variant]) => {
    const cost = estimateUsage(variant).totals.totalUsd;
    return [label, formatUsd(cost), formatUsd(roundCents(cost - base))];
  });
  return [
    `What each choice saves at ${model.name}`,
    textTable(["without", "monthly", "extra cost"], rows),
  ].join("\n");
}

/** Growth across models as a markdown table (the README's, regenerated by `npm run cost:docs`). */
export function formatGrowthMarkdown(projections: readonly Projection[]): string {
  const whole = (usd: number) => formatUsd(Math.round(usd)).replace(/\.00$/, "");
  const rows = projections.map((p) => {
    const saving = p.naive.totals.totalUsd - p.optimized.totals.totalUsd;
    const share =
      p.naive.totals.totalUsd > 0 ? Math.round((100 * saving) / p.naive.totals.totalUsd) : 0;
    const line = dominantLine(p.optimized);
    const perUser = p.optimized.totals.totalUsd / p.model.dailyActiveUsers;
    return `| ${p.model.name} | ${whole(p.optimized.totals.totalUsd)} | $${perUser.toFixed(4)} | ${whole(p.naive.totals.totalUsd)} | ${whole(saving)} (${share}%) | ${line.component} (${Math.round(line.share * 100)}%) |`;
  });
  return [
    "| model | monthly | per daily user | naive | saved by design | biggest line |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
    ...rows,
  ].join("\n");
}
