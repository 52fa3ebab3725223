import type { FastifyInstance } from "fastify";
import type Redis from "ioredis";
import { thresholdsEnv } from "../../fraud/rules";
import { recordRefund, redisFraudScorer, scorePayment, setHomeCountry } from "../../fraud/signals";
import { createFraudCheckHandler } from "../../handlers/fraud-check";
import type { Authenticator } from "../server/auth";
import { createServiceApp } from "../server/app";
import { loadConfig, redisEnv } from "../server/config";
import { mountBodyRoute } from "../server/routes";
import { mountPipelinePush, pushAuthFor, pushEnv } from "../server/pipeline-worker";
import { connectRedis, redisCheck } from "../server/redis";
import { profileRoute, refundRoute, scoreRoute } from "./contract";

/** Test seams: a Redis client, an authenticator, a log stream, a clock. */
export interface FraudAnalyzerDeps {
  readonly redis: Redis;
  readonly authenticator: Authenticator;
  readonly logStream: NodeJS.WritableStream;
  readonly now: () => number;
}

/** The variables fraud-analyzer reads, beyond every service's (`baseEnv`). */
export const SERVICE_ENV = { ...redisEnv, ...thresholdsEnv, ...pushEnv };

/**
 * fraud-analyzer: explainable risk scoring of payments from Redis signals, over HTTP and as the
 * consumer of the fraud-check pipeline (`POST /pubsub/push`, scored with the same rules).
 */
export async function buildFraudAnalyzer(
  env: NodeJS.ProcessEnv,
  deps: Partial<FraudAnalyzerDeps> = {},
): Promise<FastifyInstance> {
  const config = loadConfig(SERVICE_ENV, env);
  const auth = pushAuthFor(config);
  const redis = deps.redis ?? connectRedis(config);
  const now = deps.now ?? Date.now;
  const at = (iso?: string) => (iso ? Date.parse(iso) : now());
  const scorer = redisFraudScorer(redis, config, now);
  return createServiceApp(
    {
      service: "fraud-analyzer",
      config,
      checks: [redisCheck(redis)],
      authenticator: deps.authenticator,
      logStream: deps.logStream,
      onClose: async () => {
        if (!deps.redis) await redis.quit().catch(() => redis.disconnect());
      },
    },
    (app) => {
      mountPipelinePush(app, {
        service: "fraud-analyzer",
        pipelineName: "fraud-check",
        config,
        auth,
        redis,
        makeHandler: (handlerDeps) => createFraudCheckHandler({ ...handlerDeps, scorer }),
      });
      mountBodyRoute(app, scoreRoute, async (body, req) => {
        const result = await scorePayment(
          redis,
          { ...body, atMillis: at(body.occurredAt) },
          config,
        );
        req.log.info(
          { transactionId: body.transactionId, score: result.score, decision: result.decision },
          "payment scored",
        );
        return result;
      });
      mountBodyRoute(app, refundRoute, async (body, _req, reply) => {
        await recordRefund(redis, { ...body, atMillis: at(body.occurredAt) });
        return reply.status(204).send();
      });
      mountBodyRoute<typeof profileRoute.body, { userId: string }>(
        app,
        profileRoute,
        async (body, req, reply) => {
          await setHomeCountry(redis, req.params.userId, body.country);
          return reply.status(204).send();
        },
      );
    },
  );
}
