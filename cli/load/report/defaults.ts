/** Every fixed choice of the load report's look, in one place. */

/** Size of each chart, legends and axes included (vega `autosize: fit`), in CSS pixels. */
export const CHART_WIDTH_PX = 880;
/** @see CHART_WIDTH_PX */
export const CHART_HEIGHT_PX = 340;

/** PNG renders are this many device pixels per CSS pixel, so they stay sharp on slides. */
export const PNG_SCALE = 2;

/** The font the charts name; the PNG renderer loads it from the `dejavu-fonts-ttf` package. */
export const CHART_FONT_FAMILY = "DejaVu Sans";
/** Files of {@link CHART_FONT_FAMILY}, resolved inside `dejavu-fonts-ttf`. */
export const CHART_FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"] as const;

/** Operation colours (Tableau 10 without its red, which is kept for errors and limits). */
export const OPERATION_PALETTE = [
  "#4c78a8",
  "#f58518",
  "#54a24b",
  "#72b7b2",
  "#eeca3b",
  "#b279a2",
  "#ff9da6",
  "#9d755d",
  "#bab0ac",
] as const;
/** Colour of the errors/s line and of threshold rules. */
export const ALERT_COLOUR = "#e45756";

/** Dash pattern per percentile line in the latency chart. */
export const PERCENTILE_DASHES = {
  p50: [1, 0],
  p95: [6, 3],
  p99: [2, 2],
} as const;

/** Name of the errors series in the throughput chart's legend. */
export const ERRORS_SERIES = "errors/s";

/** File names written beside `report.html`. */
export const REPORT_FILES = {
  html: "report.html",
  latencyPng: "latency.png",
  throughputPng: "throughput.png",
} as const;
