import type Redis from "ioredis";
import type { RedisDegradedMetrics } from "../redis/metrics";
import { defineScript, type ScriptRunner } from "../redis/script";

/**
 * Read-through cache on Redis in front of a source of truth (Firestore):
 * - TTL plus random jitter, so keys filled together do not expire together;
 * - single-flight: concurrent misses of one key in this process share one load;
 * - negative caching: a missing entity is remembered for a shorter TTL;
 * - invalidation on write: `write()` runs the source write, then bumps the key's version and
 *   deletes the value; a load that started before the write cannot store its stale result,
 *   because values are stored only if the version is unchanged;
 * - keys are namespaced per region: `avalo:<region>:cache:<namespace>:<key>`;
 * - if Redis fails, reads go to the source, counted in the metrics; nothing throws for it.
 */

export interface ReadThroughCacheArgs<T> {
  readonly redis: Redis;
  /** Region id namespacing the keys, e.g. `eu-west`. */
  readonly region: string;
  /** Entity namespace, e.g. `profile`. */
  readonly namespace: string;
  /** Loads from the source of truth; `undefined` means "does not exist". */
  readonly load: (key: string) => Promise<T | undefined>;
  /** Time to live of a cached value (1 s – 30 days). @default 300 */
  readonly ttlSeconds?: number;
  /** Extra random TTL, as a fraction of ttlSeconds (0–1). @default 0.1 */
  readonly jitterRatio?: number;
  /** Time to live of a "does not exist" entry (0 disables negative caching). @default 30 */
  readonly negativeTtlSeconds?: number;
  readonly metrics?: RedisDegradedMetrics;
  /** Injectable randomness for the jitter. @default Math.random */
  readonly random?: () => number;
}

export const READ_THROUGH_DEFAULTS = {
  ttlSeconds: 300,
  jitterRatio: 0.1,
  negativeTtlSeconds: 30,
  /** Version keys outlive values so an in-flight stale load is still fenced off. */
  versionTtlSeconds: 86_400,
} as const;

/** Stored form of "the source has no such entity". */
const NEGATIVE = "-";

/** Stores the value only if the key's version is still the one read before loading. */
const SET_IF_VERSION = `
local v = redis.call('GET', KEYS[2]) or '0'
if v ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

const INVALIDATE = `
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return 1`;

function check(name: string, value: number, min: number, max: number, unit = ""): number {
  if (!(value >= min && value <= max)) {
    throw new RangeError(`\`${name}\` must be ${min}–${max}${unit}, but ${value} was provided`);
  }
  return value;
}

export class ReadThroughCache<T> {
  private readonly inflight = new Map<string, Promise<T | undefined>>();
  private readonly ttlMillis: number;
  private readonly negativeTtlMillis: number;
  private readonly jitterRatio: number;
  private readonly random: () => number;
  private readonly setIfVersion: ScriptRunner;
  private readonly invalidateScript: ScriptRunner;

  constructor(private readonly args: ReadThroughCacheArgs<T>) {
    this.ttlMillis =
      1000 *
      check(
        "ttlSeconds",
        args.ttlSeconds ?? READ_THROUGH_DEFAULTS.ttlSeconds,
        1,
        2_592_000,
        " seconds",
      );
    this.negativeTtlMillis =
      1000 *
      check(
        "negativeTtlSeconds",
        args.negativeTtlSeconds ?? READ_THROUGH_DEFAULTS.negativeTtlSeconds,
        0,
        86_400,
        " seconds",
      );
    this.jitterRatio = check(
      "jitterRatio",
      args.jitterRatio ?? READ_THROUGH_DEFAULTS.jitterRatio,
      0,
      1,
    );
    this.random = args.random ?? Math.random;
    this.setIfVersion = defineScript(args.redis, "avaloCacheSetIfVersion", SET_IF_VERSION);
    this.invalidateScript = defineScript(args.redis, "avaloCacheInvalidate", INVALIDATE);
  }

  /** The Redis key of `key`'s value. */
  valueKey(key: string): string {
    return `avalo:${this.args.region}:cache:${this.args.namespace}:${key}`;
  }

  private versionKey(key: string): string {
    return `${this.valueKey(key)}:v`;
  }

  /** TTL in milliseconds for a value (jittered upwards) or a negative entry. */
  ttlFor(negative: boolean): number {
    if (negative) return this.negativeTtlMillis;
    return Math.round(this.ttlMillis * (1 + this.jitterRatio * this.random()));
  }

  /** The cached value, or the source's, stored for next time. `undefined` = does not exist. */
  get(key: string): Promise<T | undefined> {
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.read(key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async read(key: string): Promise<T | undefined> {
    let cached: [string | null, string | null];
    try {
      cached = (await this.args.redis.mget(this.valueKey(key), this.versionKey(key))) as [
        string | null,
        string | null,
      ];
    } catch (error) {
      this.args.metrics?.recordFailure("cache.get", error);
      this.args.metrics?.recordFallback("cache.get");
      return this.args.load(key);
    }
    const [raw, version] = cached;
    if (raw === NEGATIVE) return undefined;
    if (raw !== null) return (JSON.parse(raw) as { v: T }).v;
    const value = await this.args.load(key);
    const negative = value === undefined;
    if (!negative || this.negativeTtlMillis > 0) {
      const payload = negative ? NEGATIVE : JSON.stringify({ v: value });
      await this.setIfVersion(
        2,
        this.valueKey(key),
        this.versionKey(key),
        version ?? "0",
        payload,
        this.ttlFor(negative),
      ).catch((error: unknown) => this.args.metrics?.recordFailure("cache.set", error));
    }
    return value;
  }

  /**
   * Runs `writeToSource` and then invalidates `key`. If Redis is down the source write still
   * stands; the failure is counted and the stale entry lives at most its TTL.
   */
  async write<R>(key: string, writeToSource: () => Promise<R>): Promise<R> {
    const result = await writeToSource();
    await this.invalidate(key);
    return result;
  }

  /** Drops `key` and fences off loads that started before now. Returns false if Redis failed. */
  async invalidate(key: string): Promise<boolean> {
    this.inflight.delete(key);
    try {
      await this.invalidateScript(
        2,
        this.valueKey(key),
        this.versionKey(key),
        READ_THROUGH_DEFAULTS.versionTtlSeconds,
      );
      return true;
    } catch (error) {
      this.args.metrics?.recordFailure("cache.invalidate", error);
      return false;
    }
  }
}
