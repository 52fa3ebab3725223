import type { TopLevelSpec } from "vega-lite/build/index";
import type { LoadReportInput } from "../report";
import {
  ALERT_COLOUR,
  CHART_FONT_FAMILY,
  CHART_HEIGHT_PX,
  CHART_WIDTH_PX,
  ERRORS_SERIES,
  OPERATION_PALETTE,
  PERCENTILE_DASHES,
} from "./defaults";

/** The vega-lite specs of the report's two charts; embedded in the HTML so they can be re-run. */
export interface LoadReportSpecs {
  readonly latency: TopLevelSpec;
  readonly throughput: TopLevelSpec;
}

const UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000 };

/**
 * The P95 limit in milliseconds, read from the threshold whose name mentions P95 and whose limit
 * reads like `< 500 ms`, `500ms` or `0.5 s` (no unit means ms); undefined when there is none.
 */
export function p95LimitMs(thresholds: LoadReportInput["thresholds"]): number | undefined {
  for (const t of thresholds) {
    if (!/p\s*95/i.test(t.name)) continue;
    const m = /(\d+(?:\.\d+)?)\s*(us|µs|ms|s)?\b/i.exec(t.limit);
    if (m) return Number(m[1]) * UNIT_MS[(m[2] ?? "ms").toLowerCase()];
  }
  return undefined;
}

/** Operations in the order of the per-operation table, then any only the timeline names. */
function operationOrder(input: LoadReportInput): string[] {
  const ops = input.operations.map((o) => o.op);
  for (const row of input.timeline) if (!ops.includes(row.op)) ops.push(row.op);
  return ops;
}

function colours(count: number): string[] {
  return Array.from({ length: count }, (_, i) => OPERATION_PALETTE[i % OPERATION_PALETTE.length]);
}

const frame = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  width: CHART_WIDTH_PX,
  height: CHART_HEIGHT_PX,
  autosize: { type: "fit", contains: "padding" },
  background: "white",
  config: {
    font: CHART_FONT_FAMILY,
    view: { stroke: null },
    legend: { orient: "right" },
  },
} as const;

const secondAxis = {
  field: "second",
  type: "quantitative",
  title: "second of the run",
  axis: { tickMinStep: 1, format: "d" },
} as const;

/** Latency per second: p50/p95/p99 lines per operation on a log scale, plus the P95 limit. */
function latencySpec(input: LoadReportInput): TopLevelSpec {
  const ops = operationOrder(input);
  const limit = p95LimitMs(input.thresholds);
  const percentiles = Object.keys(PERCENTILE_DASHES);
  const lines = {
    data: { values: input.timeline.map((r) => ({ ...r })) },
    transform: [
      { filter: "datum.count > 0" },
      { fold: ["p50Ms", "p95Ms", "p99Ms"], as: ["percentile", "ms"] },
      { calculate: "replace(datum.percentile, 'Ms', '')", as: "percentile" },
      { filter: "datum.ms > 0" },
    ],
    mark: { type: "line", strokeWidth: 1.5, clip: true },
    encoding: {
      x: secondAxis,
      y: {
        field: "ms",
        type: "quantitative",
        title: "latency (ms, log scale)",
        scale: { type: "log" },
      },
      color: {
        field: "op",
        type: "nominal",
        title: "operation",
        scale: { domain: ops, range: colours(ops.length) },
      },
      strokeDash: {
        field: "percentile",
        type: "nominal",
        title: "percentile",
        scale: { domain: percentiles, range: Object.values(PERCENTILE_DASHES) },
      },
    },
  };
  const limitLayers =
    limit === undefined || limit <= 0
      ? []
      : [
          {
            data: { values: [{ ms: limit, label: `P95 limit ${limit} ms` }] },
            mark: { type: "rule", color: ALERT_COLOUR, strokeDash: [4, 4], strokeWidth: 1.5 },
            encoding: { y: { field: "ms", type: "quantitative" } },
          },
          {
            data: { values: [{ ms: limit, label: `P95 limit ${limit} ms` }] },
            mark: {
              type: "text",
              color: ALERT_COLOUR,
              align: "left",
              baseline: "bottom",
              dx: 4,
              dy: -2,
              x: 0,
            },
            encoding: { y: { field: "ms", type: "quantitative" }, text: { field: "label" } },
          },
        ];
  return {
    ...frame,
    title: { text: "Latency per second", subtitle: "p50 solid, p95 dashed, p99 dotted" },
    layer: [lines, ...limitLayers],
  } as TopLevelSpec;
}

/**
 * Throughput per second: completed ops stacked by operation, with errors/s as a line on its own
 * right-hand axis (errors are usually too few to see on the ops/s scale).
 */
function throughputSpec(input: LoadReportInput): TopLevelSpec {
  const ops = operationOrder(input);
  const domain = [...ops, ERRORS_SERIES];
  const colour = {
    type: "nominal",
    title: "series",
    scale: { domain, range: [...colours(ops.length), ALERT_COLOUR] },
  };
  const values = input.timeline.map((r) => ({
    second: r.second,
    op: r.op,
    opIndex: ops.indexOf(r.op),
    count: r.count,
  }));
  const errors = new Map<number, number>();
  for (const r of input.timeline) errors.set(r.second, (errors.get(r.second) ?? 0) + r.errors);
  const errorValues = [...errors]
    .sort(([a], [b]) => a - b)
    .map(([second, count]) => ({ second, errors: count }));
  return {
    ...frame,
    title: { text: "Throughput per second", subtitle: "completed ops/s by operation, errors/s" },
    layer: [
      {
        data: { values },
        mark: { type: "area", interpolate: "linear", opacity: 0.85 },
        encoding: {
          x: secondAxis,
          y: {
            field: "count",
            type: "quantitative",
            stack: "zero",
            impute: { value: 0 },
            title: "ops/s",
          },
          color: { ...colour, field: "op" },
          order: { field: "opIndex", type: "quantitative" },
        },
      },
      {
        data: { values: errorValues },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x: secondAxis,
          y: {
            field: "errors",
            type: "quantitative",
            title: ERRORS_SERIES,
            scale: { domain: [0, Math.max(1, ...errors.values())] },
            axis: {
              orient: "right",
              titleColor: ALERT_COLOUR,
              grid: false,
              tickMinStep: 1,
              format: "d",
            },
          },
          color: { ...colour, datum: ERRORS_SERIES },
        },
      },
    ],
    resolve: { scale: { y: "independent" } },
  } as TopLevelSpec;
}

/** Both chart specs for one input. */
export function loadReportSpecs(input: LoadReportInput): LoadReportSpecs {
  return { latency: latencySpec(input), throughput: throughputSpec(input) };
}
