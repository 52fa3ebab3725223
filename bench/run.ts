import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Benchmark, BenchResult } from "./harness";

/**
 * `npm run bench [-- filter]`: runs every `bench/*.bench.ts` module (or those whose file name
 * contains the filter), prints one table, and writes `out/bench/<module>.json`.
 */
async function main(): Promise<void> {
  const filter = process.argv[2];
  const dir = __dirname;
  const outDir = join(process.cwd(), "out", "bench");
  mkdirSync(outDir, { recursive: true });
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => !filter || f.includes(filter))
    .sort();
  const rows: Array<BenchResult & { module: string }> = [];
  for (const file of files) {
    const module = basename(file, ".bench.ts");
    const { benchmarks } = (await import(join(dir, file))) as { benchmarks: Benchmark[] };
    const results: BenchResult[] = [];
    for (const bench of benchmarks) {
      process.stderr.write(`bench ${module}/${bench.name} ...\n`);
      const out = await bench.run();
      results.push(...(Array.isArray(out) ? out : [out as BenchResult]));
    }
    writeFileSync(join(outDir, `${module}.json`), JSON.stringify(results, null, 2) + "\n");
    rows.push(...results.map((r) => ({ ...r, module })));
  }
  printTable(rows);
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString("en-US");
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

function printTable(rows: Array<BenchResult & { module: string }>): void {
  const header = [
    "module",
    "benchmark",
    "metric",
    "value",
    "baseline",
    "baseline value",
    "ratio",
    "target",
    "met",
  ];
  const body = rows.map((r) => [
    r.module,
    r.name,
    r.metric,
    fmt(r.value),
    r.baseline.name,
    fmt(r.baseline.value),
    fmt(r.ratio),
    r.target ?? "",
    r.met === undefined ? "" : r.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
