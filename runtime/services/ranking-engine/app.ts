import type { FastifyInstance } from "fastify";
import { createServiceApp } from "../server/app";
import { loadConfig, redisEnv } from "../server/config";
import { connectRedis, redisCheck } from "../server/redis";

/** ranking-engine: skeleton with /healthz; its routes follow. */
export async function buildRankingEngine(env: NodeJS.ProcessEnv): Promise<FastifyInstance> {
  const config = loadConfig(redisEnv, env);
  const redis = connectRedis(config);
  return createServiceApp(
    {
      service: "ranking-engine",
      config,
      checks: [redisCheck(redis)],
      onClose: async () => {
        await redis.quit().catch(() => redis.disconnect());
      },
    },
    () => undefined,
  );
}
