import type { LoadReportInput } from "../report";
import { REPORT_FILES } from "./defaults";
import type { LoadReportSpecs } from "./specs";

/** The rendered charts the page inlines. */
export interface ReportCharts {
  readonly latencySvg: string;
  readonly throughputSvg: string;
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<`, `>` and `&` become `\u00XX`
 * escapes, so no string in it can close the element.
 */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `1234567` → `1,234,567`, independent of the machine's locale. */
function formatCount(n: number): string {
  const [whole, fraction] = String(n).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** Milliseconds with precision that matches their size: `0.42`, `12.3`, `512`. */
function formatMs(ms: number): string {
  if (ms < 1) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

function errorRate(count: number, errors: number): string {
  return count === 0 ? "–" : `${((errors / count) * 100).toFixed(2)}%`;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const head =
    headers.length === 0
      ? ""
      : `<thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>\n`;
  const body = rows
    .map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table>\n${head}<tbody>\n${body}\n</tbody>\n</table>`;
}

function summaryTable(input: LoadReportInput): string {
  return table(
    [],
    input.summary.map((s) => [`<strong>${escapeHtml(s.label)}</strong>`, escapeHtml(s.value)]),
  );
}

function operationsTable(input: LoadReportInput): string {
  return table(
    ["operation", "count", "errors", "error rate", "p50 ms", "p95 ms", "p99 ms", "max ms"],
    input.operations.map((o) => [
      escapeHtml(o.op),
      formatCount(o.count),
      formatCount(o.errors),
      errorRate(o.count, o.errors),
      formatMs(o.p50Ms),
      formatMs(o.p95Ms),
      formatMs(o.p99Ms),
      formatMs(o.maxMs),
    ]),
  );
}

function thresholdsSection(input: LoadReportInput): string {
  if (input.thresholds.length === 0) return "<p>No thresholds were set.</p>";
  const missed = input.thresholds.filter((t) => !t.passed).length;
  const verdict =
    missed === 0
      ? `<p class="verdict pass">All ${input.thresholds.length} thresholds passed.</p>`
      : `<p class="verdict fail">${missed} of ${input.thresholds.length} thresholds missed.</p>`;
  const rows = input.thresholds.map((t) => [
    escapeHtml(t.name),
    escapeHtml(t.limit),
    escapeHtml(t.actual),
    t.passed ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>',
  ]);
  return `${verdict}\n${table(["threshold", "limit", "actual", "result"], rows)}`;
}

const STYLE = `body{font-family:"DejaVu Sans",Verdana,sans-serif;margin:2em auto;max-width:960px;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:right}
th:first-child,td:first-child{text-align:left}
.pass{color:#2e7d32;font-weight:bold}
.fail{color:#c62828;font-weight:bold}
figure{margin:0 0 1.5em}
figure svg{max-width:100%;height:auto}`;

/** The self-contained report page: tables, both charts as inline SVG, and their specs as JSON. */
export function renderHtml(
  input: LoadReportInput,
  charts: ReportCharts,
  specs: LoadReportSpecs,
): string {
  const title = escapeHtml(input.title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
${STYLE}
</style>
</head>
<body>
<h1>${title}</h1>
<h2>Summary</h2>
${summaryTable(input)}
<h2>Thresholds</h2>
${thresholdsSection(input)}
<h2>Latency per operation</h2>
${operationsTable(input)}
<h2>Latency over time</h2>
<figure id="latency-chart">
${charts.latencySvg}
<figcaption><a href="${REPORT_FILES.latencyPng}">${REPORT_FILES.latencyPng}</a></figcaption>
</figure>
<h2>Throughput</h2>
<figure id="throughput-chart">
${charts.throughputSvg}
<figcaption><a href="${REPORT_FILES.throughputPng}">${REPORT_FILES.throughputPng}</a></figcaption>
</figure>
<script type="application/json" id="vega-lite-specs">
${scriptJson(specs)}
</script>
</body>
</html>
`;
}
