import {
  allShardIds,
  DEFAULT_SHARD_CONFIG,
  formatShardId,
  type ShardConfig,
  type ShardFamily,
} from "./config";
import { shardIndex } from "./hash";

/**
 * The scale report's shard functions. Each maps a key to a shard of one family in
 * {@link ShardConfig}; time-partitioned families carry the UTC partition in the id. Await
 * `initSharding()` once before calling them.
 */

function requireId(field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(
      `\`${field}\` must be a non-empty string, but ${JSON.stringify(value)} was provided`,
    );
  }
  return value;
}

/** Shard ids of families without a time partition, built once per family. */
const fixedNames = new WeakMap<ShardFamily, readonly string[]>();

function shardOf(family: ShardFamily, key: string, at?: Date): string {
  const index = shardIndex(key, family.count);
  if (family.partition !== "none") return formatShardId(family, index, at);
  let names = fixedNames.get(family);
  if (!names) {
    names = allShardIds(family);
    fixedNames.set(family, names);
  }
  return names[index];
}

/** `user_shard_000` … `user_shard_099` (100 shards by default). */
export function getUserShardId(userId: string, config: ShardConfig = DEFAULT_SHARD_CONFIG): string {
  return shardOf(config.user, requireId("userId", userId));
}

/** Separator that cannot appear in a printable id, so `["a|b","c"]` and `["a","b|c"]` differ. */
const PARTICIPANT_SEPARATOR = "\u001f";

/**
 * `chat_shard_YYYY_MM_NNNN` (1000 shards per month). Participants are de-duplicated and sorted,
 * so a conversation maps to the same shard whoever sends.
 */
export function getChatShardId(
  participants: readonly string[],
  at: Date,
  config: ShardConfig = DEFAULT_SHARD_CONFIG,
): string {
  const ids = [...new Set(participants.map((p, i) => requireId(`participants[${i}]`, p)))].sort();
  if (ids.length < 2) {
    throw new RangeError(
      `\`participants\` must name at least 2 distinct users, but ${JSON.stringify(participants)} was provided`,
    );
  }
  return shardOf(config.chat, ids.join(PARTICIPANT_SEPARATOR), at);
}

/**
 * `feed_shard_YYYY_MM_DD_NNN` (500 shards per day). The id carries the day, so each day's feed
 * writes land on a fresh set of shards.
 */
export function getFeedShardId(
  userId: string,
  day: Date,
  config: ShardConfig = DEFAULT_SHARD_CONFIG,
): string {
  return shardOf(config.feed, requireId("userId", userId), day);
}

/** `transaction_shard_YYYY_MM_NNN` (200 shards per month), keyed by the wallet owner. */
export function getTransactionShardId(
  userId: string,
  at: Date,
  config: ShardConfig = DEFAULT_SHARD_CONFIG,
): string {
  return shardOf(config.transaction, requireId("userId", userId), at);
}

/** `analytics_shard_YYYY_MM_DD_HH_NNN` (100 shards per hour), keyed by the event's entity. */
export function getAnalyticsShardId(
  key: string,
  at: Date,
  config: ShardConfig = DEFAULT_SHARD_CONFIG,
): string {
  return shardOf(config.analytics, requireId("key", key), at);
}
