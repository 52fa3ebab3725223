import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { REPORT_FILES } from "./report/defaults";
import { renderHtml } from "./report/html";
import { validateLoadReportInput } from "./report/input";
import { renderPng, renderSvg } from "./report/render";
import { loadReportSpecs } from "./report/specs";

export { LoadReportInputError } from "./report/errors";

/** What `avalo load` hands the report renderer once a run ends. */
export interface LoadReportInput {
  readonly title: string;
  readonly summary: ReadonlyArray<{ label: string; value: string }>;
  readonly operations: ReadonlyArray<{
    op: string;
    count: number;
    errors: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
    maxMs: number;
  }>;
  readonly timeline: ReadonlyArray<{
    second: number;
    op: string;
    count: number;
    errors: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
  }>;
  readonly thresholds: ReadonlyArray<{
    name: string;
    limit: string;
    actual: string;
    passed: boolean;
  }>;
}

/**
 * Writes `${dir}/report.html` and PNGs; resolves to their paths.
 *
 * Everything is rendered offline (vega-lite → vega SVG → resvg PNG, with the font shipped in
 * node_modules) and the same input gives byte-identical files. The HTML is self-contained: both
 * charts inline as SVG, all text escaped, and the vega-lite specs embedded as JSON. The PNGs are
 * `latency.png` and `throughput.png`. Throws {@link LoadReportInputError} naming the field when
 * the input is unusable (e.g. an empty `timeline`).
 */
export async function writeLoadReport(
  input: LoadReportInput,
  dir: string,
): Promise<{ html: string; pngs: string[] }> {
  validateLoadReportInput(input);
  const specs = loadReportSpecs(input);
  const latencySvg = await renderSvg(specs.latency, "latency");
  const throughputSvg = await renderSvg(specs.throughput, "throughput");
  const html = join(dir, REPORT_FILES.html);
  const pngs = [join(dir, REPORT_FILES.latencyPng), join(dir, REPORT_FILES.throughputPng)];
  const [latencyPng, throughputPng] = await Promise.all([
    renderPng(latencySvg),
    renderPng(throughputSvg),
  ]);
  await mkdir(dir, { recursive: true });
  await Promise.all([
    writeFile(html, renderHtml(input, { latencySvg, throughputSvg }, specs)),
    writeFile(pngs[0], latencyPng),
    writeFile(pngs[1], throughputPng),
  ]);
  return { html, pngs };
}

/** `tsx cli/load/report.ts <input.json> <dir>`: renders a saved LoadReportInput (or a result with a `report` field). */
async function main(argv: readonly string[]): Promise<number> {
  const [file, dir] = argv;
  if (file === undefined || dir === undefined) {
    process.stderr.write("usage: tsx cli/load/report.ts <input.json> <dir>\n");
    return 1;
  }
  const parsed = JSON.parse(await readFile(file, "utf8")) as
    LoadReportInput | { report: LoadReportInput };
  const input = "report" in parsed ? parsed.report : parsed;
  const started = performance.now();
  const written = await writeLoadReport(input, resolve(dir));
  const ms = performance.now() - started;
  process.stdout.write(
    `${[written.html, ...written.pngs].join("\n")}\nrendered in ${ms.toFixed(0)} ms\n`,
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
