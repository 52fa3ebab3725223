import { LoadConfigError } from "./errors";

/**
 * Sharding of one load across N generators (the Cloud Run Job's tasks): shard `index` of `count`
 * drives its share of the virtual users and of the rate. Users are dealt round-robin, so shard i
 * owns global user numbers i, i + N, i + 2N, ... and no two shards share a user.
 */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const SINGLE_SHARD: Shard = { index: 0, count: 1 };

/** Parses `i/N` (0 ≤ i < N). */
export function parseShard(text: string, key = "--shard"): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count)) {
    throw new LoadConfigError(key, text, "i/N with 0 ≤ i < N is allowed, e.g. 0/4");
  }
  return { index, count };
}

/** The shard from Cloud Run's CLOUD_RUN_TASK_INDEX / CLOUD_RUN_TASK_COUNT; one shard when unset. */
export function shardFromEnv(env: NodeJS.ProcessEnv): Shard {
  const { CLOUD_RUN_TASK_INDEX: index, CLOUD_RUN_TASK_COUNT: count } = env;
  if (index === undefined && count === undefined) return SINGLE_SHARD;
  return parseShard(`${index ?? 0}/${count ?? 1}`, "CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT");
}

/** Virtual users owned by a shard: ⌊users/N⌋, plus one for the first users mod N shards. */
export function shardUsers(users: number, shard: Shard): number {
  return Math.floor(users / shard.count) + (shard.index < users % shard.count ? 1 : 0);
}

/** The shard's rate: its share of users' share of the total rate. */
export function shardRate(ratePerSecond: number, users: number, shard: Shard): number {
  return users > 0 ? (ratePerSecond * shardUsers(users, shard)) / users : 0;
}

/** Global number of a shard's `local`-th user. */
export function globalUserNumber(local: number, shard: Shard): number {
  return shard.index + local * shard.count;
}
