import type Redis from "ioredis";
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { RedisDegradedMetrics } from "../redis/metrics";

/**
 * Redis-backed rate limiting per user and per route, with `rate-limiter-flexible` on ioredis
 * (its atomic INCR+TTL script). A request consumes one point from the user's overall budget and
 * one from the user's budget for the route. If Redis fails, an in-process limiter with the same
 * rules takes over (limits then hold per instance), and the failure is counted.
 */

export interface RateLimitRule {
  /** Requests allowed per window (≥ 1). */
  readonly points: number;
  /** Window length in seconds (≥ 1). */
  readonly durationSeconds: number;
}

export interface RequestRateLimiterArgs {
  readonly redis: Redis;
  /** Region id namespacing the keys. */
  readonly region: string;
  /** Overall budget of one user across routes. */
  readonly perUser: RateLimitRule;
  /** Budget of one user on one route; routes not listed use `defaultRoute`. */
  readonly routes?: Readonly<Record<string, RateLimitRule>>;
  readonly defaultRoute: RateLimitRule;
  readonly metrics?: RedisDegradedMetrics;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Which budget refused the request. */
  readonly limitedBy?: "user" | "route";
  /** Milliseconds until the refusing budget resets (0 when allowed). */
  readonly retryAfterMillis: number;
  /** Points left in the tighter of the two budgets. */
  readonly remaining: number;
  /** True when Redis failed and the in-process fallback decided. */
  readonly degraded: boolean;
}

function validRule(name: string, rule: RateLimitRule): RateLimitRule {
  for (const field of ["points", "durationSeconds"] as const) {
    const value = rule[field];
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(
        `\`${name}.${field}\` must be a positive integer, but ${value} was provided`,
      );
    }
  }
  return rule;
}

interface Pair {
  readonly redis: RateLimiterRedis;
  readonly memory: RateLimiterMemory;
}

export class RequestRateLimiter {
  private readonly user: Pair;
  private readonly routes = new Map<string, Pair>();

  constructor(private readonly args: RequestRateLimiterArgs) {
    this.user = this.pair("user", validRule("perUser", args.perUser));
    validRule("defaultRoute", args.defaultRoute);
    for (const [route, rule] of Object.entries(args.routes ?? {}))
      validRule(`routes.${route}`, rule);
  }

  private pair(scope: string, rule: RateLimitRule): Pair {
    const options = {
      points: rule.points,
      duration: rule.durationSeconds,
      keyPrefix: `avalo:${this.args.region}:rl:${scope}`,
    };
    return {
      redis: new RateLimiterRedis({
        ...options,
        storeClient: this.args.redis,
        rejectIfRedisNotReady: true,
      }),
      memory: new RateLimiterMemory(options),
    };
  }

  private routePair(route: string): Pair {
    let pair = this.routes.get(route);
    if (!pair) {
      pair = this.pair(`route:${route}`, this.args.routes?.[route] ?? this.args.defaultRoute);
      this.routes.set(route, pair);
    }
    return pair;
  }

  private async consumeOne(
    pair: Pair,
    key: string,
  ): Promise<{ res: RateLimiterRes; allowed: boolean; degraded: boolean }> {
    const attempt = async (limiter: RateLimiterAbstract) => {
      try {
        return { res: await limiter.consume(key), allowed: true };
      } catch (e) {
        if (e instanceof RateLimiterRes) return { res: e, allowed: false };
        throw e;
      }
    };
    try {
      return { ...(await attempt(pair.redis)), degraded: false };
    } catch (error) {
      this.args.metrics?.recordFailure("ratelimit.consume", error);
      this.args.metrics?.recordFallback("ratelimit.consume");
      return { ...(await attempt(pair.memory)), degraded: true };
    }
  }

  /** Consumes one request of `userId` on `route`. */
  async consume(userId: string, route: string): Promise<RateLimitDecision> {
    const [user, perRoute] = await Promise.all([
      this.consumeOne(this.user, userId),
      this.consumeOne(this.routePair(route), userId),
    ]);
    const degraded = user.degraded || perRoute.degraded;
    const refused = !user.allowed
      ? { by: "user" as const, r: user }
      : !perRoute.allowed
        ? { by: "route" as const, r: perRoute }
        : undefined;
    return {
      allowed: !refused,
      ...(refused ? { limitedBy: refused.by } : {}),
      retryAfterMillis: refused ? refused.r.res.msBeforeNext : 0,
      remaining: Math.min(user.res.remainingPoints, perRoute.res.remainingPoints),
      degraded,
    };
  }
}
