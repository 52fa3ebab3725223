import Redis from "ioredis";
import { redisConfigFromEnv, redisOptions } from "../../redis/connection";
import type { DependencyCheck } from "./health";

/** Connection settings for Memorystore / redis-server, as the config parses them. */
export interface RedisConfig {
  readonly REDIS_HOST: string;
  readonly REDIS_PORT: number;
  readonly REDIS_PASSWORD?: string;
}

/**
 * Opens the service's Redis connection. Commands fail fast (one retry) rather than queue
 * forever while Redis is down, so `/healthz` and callers see the outage. TLS follows
 * `REDIS_TLS` / `REDIS_TLS_CA` as runtime/redis/connection.ts reads them: Memorystore's
 * in-transit encryption is on, so production connections must use it.
 */
export function connectRedis(config: RedisConfig, env: NodeJS.ProcessEnv = process.env): Redis {
  const { tls } = redisOptions({ tls: redisConfigFromEnv(env).tls });
  const redis = new Redis({
    host: config.REDIS_HOST,
    port: config.REDIS_PORT,
    password: config.REDIS_PASSWORD,
    ...(tls ? { tls } : {}),
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Connection errors surface through the failing commands and /healthz; without a listener
  // ioredis would print each reconnect attempt as an unhandled error.
  redis.on("error", () => undefined);
  return redis;
}

/** `/healthz` check: PING answers PONG. */
export function redisCheck(redis: Redis): DependencyCheck {
  return { name: "redis", check: () => redis.ping() };
}
