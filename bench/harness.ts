/**
 * The benchmark harness behind `npm run bench`. Each `bench/*.bench.ts` module exports
 * `benchmarks: Benchmark[]`; every benchmark measures its subject and a baseline in the same run
 * and reports their ratio. Results are printed as a table and written, one JSON file per
 * module, to `out/bench/<module>.json` (an array of results).
 */

export interface BenchResult {
  /** Benchmark name, unique within its module. */
  readonly name: string;
  /** What `value` and `baseline.value` measure, with the unit (e.g. "ops/s", "ms"). */
  readonly metric: string;
  readonly value: number;
  /** The same-run baseline the value is compared with. */
  readonly baseline: { readonly name: string; readonly value: number };
  /** value / baseline.value. */
  readonly ratio: number;
  /** The target, stated as text, e.g. "ratio >= 0.9". */
  readonly target?: string;
  /** Whether the target was met; absent where there is no target. */
  readonly met?: boolean;
  /** Further figures (percentiles, counts, sizes). */
  readonly figures?: Readonly<Record<string, number | string>>;
}

export interface Benchmark {
  readonly name: string;
  run(): Promise<BenchResult | readonly BenchResult[]>;
}

/** Builds a result, computing the ratio and whether `ratio` satisfies `check`. */
export function result(
  fields: Omit<BenchResult, "ratio" | "met"> & {
    readonly check?: (ratio: number, value: number) => boolean;
  },
): BenchResult {
  const { check, ...rest } = fields;
  const ratio = rest.baseline.value === 0 ? Number.NaN : rest.value / rest.baseline.value;
  return { ...rest, ratio, ...(check ? { met: check(ratio, rest.value) } : {}) };
}
