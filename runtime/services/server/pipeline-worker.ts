import { PubSub } from "@google-cloud/pubsub";
import type { FastifyInstance } from "fastify";
import type { Firestore } from "firebase-admin/firestore";
import type Redis from "ioredis";
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
import { ConfigError, loadConfig, redisEnv, type BaseConfig } from "./config";
import { firestoreCheck } from "./firestore";
import { connectRedis, redisCheck } from "./redis";

/**
 * A pipeline worker: `/healthz` over Firestore and Redis, and `POST /pubsub/push` for its
 * pipeline, served by the pipeline's handler from runtime/handlers through the consumer core
 * (runtime/pipelines). In production the push route also checks that the token was signed for
 * the pipeline's invoker service account. Services with routes of their own mount the push
 * route with `pushAuthFor` + `mountPipelinePush`.
 */
export const pushEnv = {
  /** The push subscription's invoker service account (production). */
  AVALO_PUSH_INVOKER_EMAIL: z.email().optional(),
};

export const workerEnv = { ...redisEnv, ...pushEnv };

/** Push authentication from the config; throws a ConfigError when production lacks the invoker. */
export function pushAuthFor(config: BaseConfig & { AVALO_PUSH_INVOKER_EMAIL?: string }): PushAuth {
  if (config.AVALO_AUTH === "local") return { mode: "local" };
  if (!config.AVALO_PUSH_INVOKER_EMAIL) {
    throw new ConfigError(
      "invalid configuration:\n  AVALO_PUSH_INVOKER_EMAIL: required when AVALO_AUTH=google-oidc (push tokens must come from the pipeline's invoker service account); it is not set",
      ["AVALO_PUSH_INVOKER_EMAIL"],
    );
  }
  return {
    mode: "oidc",
    audience: config.AVALO_SERVICE_URL!,
    serviceAccountEmail: config.AVALO_PUSH_INVOKER_EMAIL,
  };
}

/** Stands in for Redis in services without one: any use names the service and pipeline. */
function absentRedis(service: string, pipelineName: string): Redis {
  return new Proxy({} as Redis, {
    get(_target, property) {
      throw new Error(
        `${service} has no Redis, but the ${pipelineName} handler used redis.${String(property)}`,
      );
    },
  });
}

/** The pipeline's spec; throws unless `service` is its consumer. */
function consumedPipeline(service: string, pipelineName: string) {
  const pipeline = getPipeline(pipelineName);
  if (pipeline.consumer !== service) {
    throw new Error(`pipeline ${pipelineName} is consumed by ${pipeline.consumer}, not ${service}`);
  }
  return pipeline;
}

/**
 * Firestore opened on first use: services that use it only for pipeline messages do not create
 * the client (which fixes its endpoint, emulator or not) until a message arrives.
 */
function lazyFirestore(projectId: string): Firestore {
  let db: Firestore | undefined;
  return new Proxy({} as Firestore, {
    get(_target, property) {
      db ??= getFirestore({ projectId });
      const value: unknown = Reflect.get(db, property, db);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(db) : value;
    },
  });
}

export interface PipelinePushArgs<H extends PipelineHandler = PipelineHandler> {
  readonly service: string;
  readonly pipelineName: string;
  readonly config: BaseConfig;
  /** From `pushAuthFor(config)`, resolved before the service opens its clients. */
  readonly auth: PushAuth;
  /** The service's Firestore. @default the project's, opened on first use */
  readonly db?: Firestore;
  /** The service's Redis; services without one get a stand-in that fails on use. */
  readonly redis?: Redis;
  readonly makeHandler: (deps: HandlerDeps) => H;
}

/**
 * Mounts `POST /pubsub/push` for the service's pipeline on an existing app: the handler gets
 * the service's Firestore and Redis plus a publisher for derived events; dead letters go to the
 * pipeline's DLQ. The publisher and Pub/Sub client close with the app. Returns the handler.
 */
export function mountPipelinePush<H extends PipelineHandler>(
  app: FastifyInstance,
  args: PipelinePushArgs<H>,
): H {
  const pipeline = consumedPipeline(args.service, args.pipelineName);
  const pubsub = new PubSub({ projectId: args.config.GOOGLE_CLOUD_PROJECT });
  const publisher = new PipelinePublisher({ pubsub, region: args.config.AVALO_REGION });
  const handler = args.makeHandler({
    db: args.db ?? lazyFirestore(args.config.GOOGLE_CLOUD_PROJECT),
    redis: args.redis ?? absentRedis(args.service, args.pipelineName),
    publisher,
  });
  // onClose hooks run in reverse order: this one runs after the route's drain hook below.
  app.addHook("onClose", async () => {
    await publisher.flush().catch(() => undefined);
    await pubsub.close();
  });
  registerPushRoute(app, pipeline, {
    handler: handler as never,
    deadLetter: new PubSubDeadLetterSink(pubsub),
    auth: args.auth,
    ...(args.auth.mode === "local" ? { regionFilter: args.config.AVALO_REGION } : {}),
  });
  return handler;
}

export async function buildPipelineWorker(
  service: string,
  pipelineName: string,
  env: NodeJS.ProcessEnv,
  makeHandler: (deps: HandlerDeps) => PipelineHandler,
): Promise<FastifyInstance> {
  const config = loadConfig(workerEnv, env);
  const auth = pushAuthFor(config);
  consumedPipeline(service, pipelineName);
  await initSharding();
  const db = getFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT });
  const redis = connectRedis(config);
  return createServiceApp(
    {
      service,
      config,
      checks: [firestoreCheck(db), redisCheck(redis)],
      onClose: async () => {
        await redis.quit().catch(() => redis.disconnect());
      },
    },
    (app) => {
      mountPipelinePush(app, { service, pipelineName, config, auth, db, redis, makeHandler });
    },
  );
}
