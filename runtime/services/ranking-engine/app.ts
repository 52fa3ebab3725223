import type { FastifyInstance } from "fastify";
import type { Firestore } from "firebase-admin/firestore";
import type Redis from "ioredis";
import { Counters } from "../../counters";
import { getFirestore } from "../../firestore/client";
import { z } from "zod";
import type { Authenticator } from "../server/auth";
import { createServiceApp } from "../server/app";
import { loadConfig, redisEnv } from "../server/config";
import { mountBodyRoute } from "../server/routes";
import { firestoreCheck } from "../server/firestore";
import { connectRedis, redisCheck } from "../server/redis";
import { candidatesRoute, interactionRoute, rankRoute } from "./contract";
import { rankPage } from "./rank";
import { DEFAULT_WEIGHTS } from "./scoring";
import { cachedEngagement, countersEngagement, RankingStore, type EngagementSource } from "./store";

const rankingEnv = {
  /** How long a ranking stays cached for the next pages and repeat requests. */
  RANKING_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  /** How long a page's cursor is served from the ranking snapshot it came from. */
  RANKING_CURSOR_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(1800),
  RANKING_HALF_LIFE_HOURS: z.coerce.number().positive().default(DEFAULT_WEIGHTS.halfLifeHours),
  /** How long a post's engagement is cached in Redis (0: read the counters on every ranking). */
  RANKING_ENGAGEMENT_TTL_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
};

export interface RankingEngineDeps {
  readonly redis: Redis;
  readonly db: Firestore;
  readonly engagement: EngagementSource;
  readonly authenticator: Authenticator;
  readonly now: () => number;
}

/** The variables ranking-engine reads, beyond every service's (`baseEnv`). */
export const SERVICE_ENV = { ...redisEnv, ...rankingEnv };

/**
 * ranking-engine: personalised feed ranking with a stable cursor and a Redis cache. Engagement
 * is read from the `likes` and `views` counters the pipelines keep (Redis and Firestore).
 */
export async function buildRankingEngine(
  env: NodeJS.ProcessEnv,
  deps: Partial<RankingEngineDeps> = {},
): Promise<FastifyInstance> {
  const config = loadConfig(SERVICE_ENV, env);
  const redis = deps.redis ?? connectRedis(config);
  const store = new RankingStore(
    redis,
    config.RANKING_CACHE_TTL_SECONDS,
    config.RANKING_CURSOR_TTL_SECONDS,
  );
  const db = deps.db ?? getFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT });
  const engagement =
    deps.engagement ??
    cachedEngagement(countersEngagement(new Counters({ db, redis, region: config.AVALO_REGION })), {
      redis,
      region: config.AVALO_REGION,
      ttlSeconds: config.RANKING_ENGAGEMENT_TTL_SECONDS,
    });
  const weights = { ...DEFAULT_WEIGHTS, halfLifeHours: config.RANKING_HALF_LIFE_HOURS };
  const now = deps.now ?? Date.now;
  return createServiceApp(
    {
      service: "ranking-engine",
      config,
      checks: [firestoreCheck(db), redisCheck(redis)],
      authenticator: deps.authenticator,
      onClose: async () => {
        if (!deps.redis) await redis.quit().catch(() => redis.disconnect());
      },
    },
    (app) => {
      mountBodyRoute(app, rankRoute, async (body) =>
        rankPage(body, { store, engagement, weights, now }),
      );
      mountBodyRoute(app, interactionRoute, async (body, _req, reply) => {
        await store.recordInteraction(body.userId, body.authorId, body.weight);
        return reply.status(204).send();
      });
      mountBodyRoute(app, candidatesRoute, async (body, _req, reply) => {
        await store.addCandidates(body.userIds, body.candidates);
        return reply.status(204).send();
      });
    },
  );
}
