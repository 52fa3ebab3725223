/**
 * Shard families: the one place that fixes how many shards each kind of data has, how shard ids
 * are spelled, and how they are partitioned in time. Every shard function reads this table.
 */

/** Largest shard count any family may have. */
export const MAX_SHARD_COUNT = 10_000;

/** How a family's shard ids are partitioned in time (UTC). */
export type ShardPartition = "none" | "hour" | "day" | "month";

export interface ShardFamily {
  /** Prefix of every shard id, e.g. `user_shard`. */
  readonly prefix: string;
  /** Number of shards per time partition (1–{@link MAX_SHARD_COUNT}). */
  readonly count: number;
  /** Time partition carried in the shard id. */
  readonly partition: ShardPartition;
}

export const SHARD_FAMILY_NAMES = ["user", "chat", "feed", "transaction", "analytics"] as const;
export type ShardFamilyName = (typeof SHARD_FAMILY_NAMES)[number];

export type ShardConfig = Readonly<Record<ShardFamilyName, ShardFamily>>;

/** The scale report's shard layout. */
export const DEFAULT_SHARD_CONFIG: ShardConfig = {
  user: { prefix: "user_shard", count: 100, partition: "none" },
  chat: { prefix: "chat_shard", count: 1000, partition: "month" },
  feed: { prefix: "feed_shard", count: 500, partition: "day" },
  transaction: { prefix: "transaction_shard", count: 200, partition: "month" },
  analytics: { prefix: "analytics_shard", count: 100, partition: "hour" },
};

/**
 * Throws unless `count` is an integer from 1 to {@link MAX_SHARD_COUNT}; `name` is the option
 * named in the message.
 */
export function validateShardCount(name: string, count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARD_COUNT) {
    throw new RangeError(
      `\`${name}\` must be an integer from 1 to ${MAX_SHARD_COUNT}, but ${String(count)} was provided`,
    );
  }
  return count;
}

/** The default layout with some shard counts overridden; every count is validated. */
export function shardConfig(
  overrides: Partial<Record<ShardFamilyName, Partial<ShardFamily>>> = {},
): ShardConfig {
  const entries = SHARD_FAMILY_NAMES.map((name) => {
    const family = { ...DEFAULT_SHARD_CONFIG[name], ...overrides[name] };
    validateShardCount(`shards.${name}.count`, family.count);
    return [name, family] as const;
  });
  return Object.fromEntries(entries) as Record<ShardFamilyName, ShardFamily>;
}

/** Digits in a shard number: at least 3, and as many as the count has (1000 → `0000`). */
export function shardDigits(count: number): number {
  return Math.max(3, String(count).length);
}

/** `prefix_<time>_NNN` for shard number `index` of `family`, at time partition `at`. */
export function formatShardId(family: ShardFamily, index: number, at?: Date): string {
  const number = String(index).padStart(shardDigits(family.count), "0");
  const time = family.partition === "none" ? "" : `${timePartition(family.partition, at)}_`;
  return `${family.prefix}_${time}${number}`;
}

/** Every shard id of `family` at time partition `at`, in shard-number order. */
export function allShardIds(family: ShardFamily, at?: Date): string[] {
  return Array.from({ length: family.count }, (_, i) => formatShardId(family, i, at));
}

function two(n: number): string {
  return String(n).padStart(2, "0");
}

function timePartition(partition: Exclude<ShardPartition, "none">, at: Date | undefined): string {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new TypeError(
      `a ${partition}-partitioned shard needs a valid Date, but ${String(at)} was provided`,
    );
  }
  const parts = [
    String(at.getUTCFullYear()),
    two(at.getUTCMonth() + 1),
    two(at.getUTCDate()),
    two(at.getUTCHours()),
  ];
  const length = { month: 2, day: 3, hour: 4 }[partition];
  return parts.slice(0, length).join("_");
}
