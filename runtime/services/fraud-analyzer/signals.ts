import type Redis from "ioredis";
import type { FraudScore } from "./contract";
import { evaluateRules, type Thresholds } from "./rules";

/**
 * Fraud signals in Redis, per user under one hash tag (`fraud:{userId}:…`) so a user's keys
 * share a cluster slot: hour and day velocity counters, a running amount history, known
 * devices, home country, and refunds as a time-scored sorted set. A payment's result is kept
 * for a week, so scoring the same transaction again returns the same answer and counts once.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const RESULT_TTL_SECONDS = 7 * 86_400;

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

/** Scores a payment against the user's signals and records it; idempotent per transaction. */
export async function scorePayment(
  redis: Redis,
  p: ScorePayment,
  t: Thresholds,
): Promise<FraudScore & { readonly replayed: boolean }> {
  const resultKey = key(p.userId, `result:${p.transactionId}`);
  const previous = await redis.get(resultKey);
  if (previous) return { ...(JSON.parse(previous) as FraudScore), replayed: true };

  const hourKey = key(p.userId, `h:${Math.floor(p.atMillis / HOUR_MS)}`);
  const dayKey = key(p.userId, `d:${Math.floor(p.atMillis / DAY_MS)}`);
  const windowStart = p.atMillis - t.FRAUD_REFUND_WINDOW_DAYS * DAY_MS;
  const read = await redis
    .multi()
    .incr(hourKey)
    .expire(hourKey, 2 * 3600)
    .incr(dayKey)
    .expire(dayKey, 2 * 86_400)
    .hmget(key(p.userId, "profile"), "count", "sumMinor", "homeCountry")
    .sismember(key(p.userId, "devices"), p.deviceId)
    .zcount(key(p.userId, "refunds"), windowStart, p.atMillis)
    .exec();
  if (!read) throw new Error("fraud signals transaction was aborted");
  const value = (i: number) => {
    const [err, v] = read[i];
    if (err) throw err;
    return v;
  };
  const [count, sumMinor, homeCountry] = value(4) as (string | null)[];
  const score = evaluateRules(
    {
      paymentsThisHour: Number(value(0)),
      paymentsToday: Number(value(2)),
      historyCount: Number(count ?? 0),
      historySumMinor: Number(sumMinor ?? 0),
      knownDevice: Number(value(5)) === 1,
      homeCountry: homeCountry ?? undefined,
      recentRefunds: Number(value(6)),
    },
    p,
    t,
  );
  await redis
    .multi()
    .hincrby(key(p.userId, "profile"), "count", 1)
    .hincrby(key(p.userId, "profile"), "sumMinor", p.amountMinor)
    .sadd(key(p.userId, "devices"), p.deviceId)
    .set(resultKey, JSON.stringify(score), "EX", RESULT_TTL_SECONDS)
    .exec();
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
