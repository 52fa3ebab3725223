import type Redis from "ioredis";
import { defineScript } from "../redis/script";
import { evaluateRules, type Thresholds } from "./rules";
import type { FraudScore, FraudScorer } from "./score";

/**
 * Fraud signals in Redis, per user under one hash tag (`fraud:{userId}:…`) so a user's keys
 * share a cluster slot: hour and day velocity counters, a running amount history, known
 * devices, home country, and refunds as a time-scored sorted set. A payment's result is kept
 * for a week, so scoring the same transaction again returns the same answer and counts once.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const RESULT_TTL_SECONDS = 7 * 86_400;
const HOUR_WINDOW_TTL_SECONDS = 2 * 3600;
const DAY_WINDOW_TTL_SECONDS = 2 * 86_400;

function key(userId: string, part: string): string {
  return `fraud:{${userId}}:${part}`;
}

export interface ScorePayment {
  readonly transactionId: string;
  readonly userId: string;
  readonly amountMinor: number;
  readonly deviceId: string;
  readonly country: string;
  readonly atMillis: number;
}

/**
 * Returns the stored result of a transaction already scored, or counts the payment in the hour
 * and day windows and reads the rest of the user's signals, in one atomic round trip.
 * KEYS: result, hour, day, profile, devices, refunds. ARGV: device id, refund window start,
 * payment time, hour TTL, day TTL.
 */
const READ_SCRIPT = `
local previous = redis.call('GET', KEYS[1])
if previous then return {1, previous} end
local hour = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[4])
local day = redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[5])
local profile = redis.call('HMGET', KEYS[4], 'count', 'sumMinor', 'homeCountry')
local known = redis.call('SISMEMBER', KEYS[5], ARGV[1])
local refunds = redis.call('ZCOUNT', KEYS[6], ARGV[2], ARGV[3])
return {0, hour, day, profile[1], profile[2], profile[3], known, refunds}`;

/**
 * Adds the payment to the user's history and devices and stores its result, atomically.
 * KEYS: profile, devices, result. ARGV: amount, device id, result JSON, result TTL.
 */
const RECORD_SCRIPT = `
redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('HINCRBY', KEYS[1], 'sumMinor', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])
return 1`;

type SignalsReply =
  [1, string] | [0, number, number, string | null, string | null, string | null, number, number];

/**
 * Scores a payment against the user's signals and records it; idempotent per transaction. Two
 * round trips, one script each: the read counts the payment only if the transaction has no
 * stored result, and the record stores the result with the history it adds to.
 */
export async function scorePayment(
  redis: Redis,
  p: ScorePayment,
  t: Thresholds,
): Promise<FraudScore & { readonly replayed: boolean }> {
  const resultKey = key(p.userId, `result:${p.transactionId}`);
  const profileKey = key(p.userId, "profile");
  const devicesKey = key(p.userId, "devices");
  const read = (await defineScript(redis, "avaloFraudSignals", READ_SCRIPT)(
    6,
    resultKey,
    key(p.userId, `h:${Math.floor(p.atMillis / HOUR_MS)}`),
    key(p.userId, `d:${Math.floor(p.atMillis / DAY_MS)}`),
    profileKey,
    devicesKey,
    key(p.userId, "refunds"),
    p.deviceId,
    p.atMillis - t.FRAUD_REFUND_WINDOW_DAYS * DAY_MS,
    p.atMillis,
    HOUR_WINDOW_TTL_SECONDS,
    DAY_WINDOW_TTL_SECONDS,
  )) as SignalsReply;
  if (read[0] === 1) return { ...(JSON.parse(read[1]) as FraudScore), replayed: true };
  const [, hour, day, count, sumMinor, homeCountry, known, refunds] = read;
  const score = evaluateRules(
    {
      paymentsThisHour: hour,
      paymentsToday: day,
      historyCount: Number(count ?? 0),
      historySumMinor: Number(sumMinor ?? 0),
      knownDevice: known === 1,
      homeCountry: homeCountry ?? undefined,
      recentRefunds: refunds,
    },
    p,
    t,
  );
  await defineScript(redis, "avaloFraudRecord", RECORD_SCRIPT)(
    3,
    profileKey,
    devicesKey,
    resultKey,
    p.amountMinor,
    p.deviceId,
    JSON.stringify(score),
    RESULT_TTL_SECONDS,
  );
  return { ...score, replayed: false };
}

/** Records a refund (idempotent per refund id) and drops refunds older than a year. */
export async function recordRefund(
  redis: Redis,
  r: { readonly refundId: string; readonly userId: string; readonly atMillis: number },
): Promise<void> {
  await redis
    .multi()
    .zadd(key(r.userId, "refunds"), r.atMillis, r.refundId)
    .zremrangebyscore(key(r.userId, "refunds"), 0, r.atMillis - 365 * DAY_MS)
    .exec();
}

/** Sets the user's home country, compared with each payment's country. */
export async function setHomeCountry(redis: Redis, userId: string, country: string): Promise<void> {
  await redis.hset(key(userId, "profile"), "homeCountry", country);
}

/**
 * A scorer on the user's Redis signals under `thresholds`; a request without `occurredAt` is
 * scored at `now()`.
 */
export function redisFraudScorer(
  redis: Redis,
  thresholds: Thresholds,
  now: () => number = Date.now,
): FraudScorer {
  return {
    score: (r) =>
      scorePayment(
        redis,
        { ...r, atMillis: r.occurredAt ? Date.parse(r.occurredAt) : now() },
        thresholds,
      ),
  };
}
