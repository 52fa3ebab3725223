import type Redis from "ioredis";
import { connectRedis as connectRuntimeRedis, redisConfigFromEnv } from "../../redis/connection";
import type { DependencyCheck } from "./health";

/** Connection settings for Memorystore / redis-server, as the config parses them. */
export interface RedisConfig {
  readonly REDIS_HOST: string;
  readonly REDIS_PORT: number;
  readonly REDIS_PASSWORD?: string;
}

/**
 * Opens the service's Redis connection with runtime/redis/connection.ts's settings: commands fail
 * fast (one retry, a command timeout) rather than queue forever while Redis is down, so
 * `/healthz` and callers see the outage. TLS follows `REDIS_TLS` / `REDIS_TLS_CA`: Memorystore's
 * in-transit encryption is on, so production connections must use it.
 */
export function connectRedis(config: RedisConfig, env: NodeJS.ProcessEnv = process.env): Redis {
  return connectRuntimeRedis({
    ...redisConfigFromEnv(env),
    host: config.REDIS_HOST,
    port: config.REDIS_PORT,
    password: config.REDIS_PASSWORD,
  });
}

/** `/healthz` check: PING answers PONG. */
export function redisCheck(redis: Redis): DependencyCheck {
  return { name: "redis", check: () => redis.ping() };
}
