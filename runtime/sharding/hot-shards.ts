/**
 * Hot-shard detection from per-shard write samples: a shard is hot when its write rate exceeds
 * an absolute threshold, or is at least `k` times the median rate across shards.
 */

export interface ShardWriteSample {
  readonly shardId: string;
  /** Writes observed in the window. */
  readonly writes: number;
  /** Length of the observation window in seconds. */
  readonly windowSeconds: number;
}

export interface HotShardOptions {
  /** Writes per second above which a shard is hot (Firestore sustains about 1/s per document). */
  readonly threshold: number;
  /** A shard at least `k` × the median rate is hot. @default 3 */
  readonly k?: number;
}

export interface HotShard {
  readonly shardId: string;
  readonly writesPerSecond: number;
  /** Why it was flagged. */
  readonly reasons: readonly ("threshold" | "median")[];
}

const DEFAULT_K = 3;

function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Hot shards, hottest first. Several samples of one shard are pooled into one rate. */
export function identifyHotShards(
  samples: readonly ShardWriteSample[],
  options: HotShardOptions,
): HotShard[] {
  const k = options.k ?? DEFAULT_K;
  if (!(options.threshold > 0)) {
    throw new RangeError(
      `\`threshold\` must be a positive rate, but ${options.threshold} was provided`,
    );
  }
  if (!(k > 1)) throw new RangeError(`\`k\` must be greater than 1, but ${k} was provided`);
  const totals = new Map<string, { writes: number; seconds: number }>();
  for (const [i, s] of samples.entries()) {
    if (!(s.windowSeconds > 0) || !(s.writes >= 0)) {
      throw new RangeError(
        `samples[${i}] (${s.shardId}) needs writes ≥ 0 and windowSeconds > 0, but got writes=${s.writes}, windowSeconds=${s.windowSeconds}`,
      );
    }
    const t = totals.get(s.shardId) ?? { writes: 0, seconds: 0 };
    t.writes += s.writes;
    t.seconds += s.windowSeconds;
    totals.set(s.shardId, t);
  }
  const rates = [...totals].map(([shardId, t]) => ({ shardId, rate: t.writes / t.seconds }));
  const med = median(rates.map((r) => r.rate).sort((a, b) => a - b));
  return rates
    .map(({ shardId, rate }) => {
      const reasons: ("threshold" | "median")[] = [];
      if (rate > options.threshold) reasons.push("threshold");
      if (med > 0 && rate >= k * med) reasons.push("median");
      return { shardId, writesPerSecond: rate, reasons };
    })
    .filter((h) => h.reasons.length > 0)
    .sort((a, b) => b.writesPerSecond - a.writesPerSecond || a.shardId.localeCompare(b.shardId));
}
