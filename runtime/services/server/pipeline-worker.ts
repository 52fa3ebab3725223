import { PubSub } from "@google-cloud/pubsub";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { getPipeline } from "../../catalog/pipelines";
import { getFirestore } from "../../firestore/client";
import type { HandlerDeps } from "../../handlers/deps";
import type { PipelineHandler } from "../../pipelines/consumer";
import { PubSubDeadLetterSink } from "../../pipelines/deadletter";
import { PipelinePublisher } from "../../pipelines/publisher";
import { registerPushRoute, type PushAuth } from "../../pipelines/push";
import { initSharding } from "../../sharding/hash";
import { createServiceApp } from "./app";
import { ConfigError, loadConfig, redisEnv } from "./config";
import { firestoreCheck } from "./firestore";
import { connectRedis, redisCheck } from "./redis";

/**
 * A pipeline worker: `/healthz` over Firestore and Redis, and `POST /pubsub/push` for its
 * pipeline, served by the pipeline's handler from runtime/handlers through the consumer core
 * (runtime/pipelines). In production the push route also checks that the token was signed for
 * the pipeline's invoker service account.
 */
export const workerEnv = {
  ...redisEnv,
  /** The push subscription's invoker service account (production). */
  AVALO_PUSH_INVOKER_EMAIL: z.email().optional(),
};

export async function buildPipelineWorker(
  service: string,
  pipelineName: string,
  env: NodeJS.ProcessEnv,
  makeHandler: (deps: HandlerDeps) => PipelineHandler,
): Promise<FastifyInstance> {
  const config = loadConfig(workerEnv, env);
  if (config.AVALO_AUTH === "google-oidc" && !config.AVALO_PUSH_INVOKER_EMAIL) {
    throw new ConfigError(
      "invalid configuration:\n  AVALO_PUSH_INVOKER_EMAIL: required when AVALO_AUTH=google-oidc (push tokens must come from the pipeline's invoker service account); it is not set",
      ["AVALO_PUSH_INVOKER_EMAIL"],
    );
  }
  const pipeline = getPipeline(pipelineName);
  if (pipeline.consumer !== service) {
    throw new Error(`pipeline ${pipelineName} is consumed by ${pipeline.consumer}, not ${service}`);
  }
  await initSharding();
  const db = getFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT });
  const redis = connectRedis(config);
  const pubsub = new PubSub({ projectId: config.GOOGLE_CLOUD_PROJECT });
  const publisher = new PipelinePublisher({ pubsub, region: config.AVALO_REGION });
  const auth: PushAuth =
    config.AVALO_AUTH === "local"
      ? { mode: "local" }
      : {
          mode: "oidc",
          audience: config.AVALO_SERVICE_URL!,
          serviceAccountEmail: config.AVALO_PUSH_INVOKER_EMAIL!,
        };
  return createServiceApp(
    {
      service,
      config,
      checks: [firestoreCheck(db), redisCheck(redis)],
      onClose: async () => {
        await publisher.flush().catch(() => undefined);
        await redis.quit().catch(() => redis.disconnect());
        await pubsub.close();
      },
    },
    (app) => {
      registerPushRoute(app, pipeline, {
        handler: makeHandler({ db, redis, publisher }) as never,
        deadLetter: new PubSubDeadLetterSink(pubsub),
        auth,
        ...(config.AVALO_AUTH === "local" ? { regionFilter: config.AVALO_REGION } : {}),
      });
    },
  );
}
