import type { Firestore, WriteBatch } from "@google-cloud/firestore";
import type Redis from "ioredis";
import { defineScript } from "../redis/script";
import { FIRESTORE_BATCH_LIMIT, MARKER_COLLECTION, MARKER_TTL_SECONDS } from "./defaults";

/**
 * Exactly-once effects on top of at-least-once delivery. Every effect carries a marker keyed by
 * pipeline and event id, written atomically with the effect:
 *  - Firestore: the marker is *created* in the same batch as the effect's writes. `create` fails
 *    with ALREADY_EXISTS when the marker exists, which fails the whole batch, so concurrent or
 *    repeated deliveries apply the effect once without read-modify-write contention.
 *  - Redis: one Lua script sets the marker with NX and applies the effect's commands only when it
 *    was absent.
 */

/** Outcome of an exactly-once effect. */
export type EffectResult = "applied" | "duplicate";

/** The document id of a marker; `/` is not allowed in ids, so it is replaced. */
export function markerId(pipeline: string, eventId: string, part?: string): string {
  return [pipeline, eventId, part].filter(Boolean).join(":").replaceAll("/", "_");
}

const ALREADY_EXISTS = 6;

/**
 * Runs `write` on a batch together with the creation of the marker, and commits. Returns
 * "duplicate" when the marker already existed (nothing was written). `write` may add at most
 * 499 writes: the marker takes the 500th.
 */
export async function applyOnceFirestore(
  db: Firestore,
  marker: { pipeline: string; eventId: string; part?: string },
  write: (batch: WriteBatch) => void,
  now: Date = new Date(),
): Promise<EffectResult> {
  const batch = db.batch();
  write(batch);
  const size = (batch as unknown as { _opCount?: number })._opCount;
  if (size !== undefined && size >= FIRESTORE_BATCH_LIMIT) {
    throw new Error(
      `an exactly-once batch holds at most ${FIRESTORE_BATCH_LIMIT - 1} writes plus its marker, but ${size} were added`,
    );
  }
  const ref = db
    .collection(MARKER_COLLECTION)
    .doc(markerId(marker.pipeline, marker.eventId, marker.part));
  batch.create(ref, {
    pipeline: marker.pipeline,
    eventId: marker.eventId,
    processedAt: now,
    expireAt: new Date(now.getTime() + MARKER_TTL_SECONDS * 1000),
  });
  try {
    await batch.commit();
    return "applied";
  } catch (err) {
    if ((err as { code?: number }).code === ALREADY_EXISTS) return "duplicate";
    throw err;
  }
}

/** Whether the marker of an effect exists (to skip expensive work before applying it). */
export async function isApplied(
  db: Firestore,
  marker: { pipeline: string; eventId: string; part?: string },
): Promise<boolean> {
  const snap = await db
    .collection(MARKER_COLLECTION)
    .doc(markerId(marker.pipeline, marker.eventId, marker.part))
    .get();
  return snap.exists;
}

/**
 * One Redis command of an effect. `key` indexes the keys passed to `applyOnceRedis` (0-based);
 * the script passes them through KEYS so a cluster can route them.
 */
export interface RedisOp {
  readonly command:
    "INCRBY" | "HINCRBY" | "HSET" | "HSETNX" | "SADD" | "ZADD" | "RPUSH" | "EXPIRE" | "SET";
  readonly key: number;
  readonly args: readonly (string | number)[];
}

const APPLY_ONCE_LUA = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local ops = cjson.decode(ARGV[2])
for _, op in ipairs(ops) do
  redis.call(op[1], KEYS[op[2] + 2], unpack(op, 3))
end
return 1
`;

/** The key of a Redis marker. */
export function redisMarkerKey(pipeline: string, eventId: string, part?: string): string {
  return `processed:${markerId(pipeline, eventId, part)}`;
}

/**
 * Applies `ops` to `keys` in one Lua script that first sets the marker (NX, with a TTL); returns
 * "duplicate" without touching anything when the marker was already set.
 */
export async function applyOnceRedis(
  redis: Redis,
  marker: { pipeline: string; eventId: string; part?: string },
  keys: readonly string[],
  ops: readonly RedisOp[],
): Promise<EffectResult> {
  for (const op of ops) {
    if (!Number.isInteger(op.key) || op.key < 0 || op.key >= keys.length) {
      throw new Error(`RedisOp key index must be 0–${keys.length - 1}, but ${op.key} was provided`);
    }
  }
  const encoded = JSON.stringify(ops.map((op) => [op.command, op.key, ...op.args.map(String)]));
  const result = await defineScript(redis, "avaloApplyOnce", APPLY_ONCE_LUA)(
    keys.length + 1,
    redisMarkerKey(marker.pipeline, marker.eventId, marker.part),
    ...keys,
    MARKER_TTL_SECONDS,
    encoded,
  );
  return result === 1 ? "applied" : "duplicate";
}
