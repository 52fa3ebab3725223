import type { FastifyInstance } from "fastify";
import { getApps, initializeApp, type App } from "firebase-admin/app";
import { getMessaging } from "firebase-admin/messaging";
import type { Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import { getFirestore } from "../../firestore/client";
import {
  createNotificationBatchHandler,
  FcmPushProvider,
  RecordedPushSink,
  type PushProvider,
} from "../../handlers/notification-batch";
import { createServiceApp } from "../server/app";
import { ConfigError, loadConfig, redisEnv } from "../server/config";
import { firestoreCheck } from "../server/firestore";
import { mountPipelinePush, pushAuthFor, pushEnv } from "../server/pipeline-worker";
import { connectRedis, redisCheck } from "../server/redis";

const notificationEnv = {
  /**
   * Where pushes go: `fcm` (Firebase Cloud Messaging; required to be named in production) or
   * `recorded` (LOCAL ONLY: kept in memory, never sent). @default "recorded" locally
   */
  NOTIFICATION_PUSH_PROVIDER: z.enum(["fcm", "recorded"]).optional(),
  /** Coalescing window per user. */
  NOTIFICATION_WINDOW_MILLIS: z.coerce.number().int().min(100).max(60_000).default(2000),
};

/** Firestore collection of device tokens: `users_devices/{userId}` with `tokens: string[]`. */
export const DEVICE_TOKENS_COLLECTION = "users_devices";

/** The FCM registration tokens of a user's devices; none when the document is absent. */
export async function deviceTokens(db: Firestore, userId: string): Promise<string[]> {
  const snap = await db.collection(DEVICE_TOKENS_COLLECTION).doc(userId).get();
  const tokens: unknown = snap.get("tokens");
  return Array.isArray(tokens) ? tokens.filter((t): t is string => typeof t === "string") : [];
}

/** The firebase-admin app of the project (the one Firestore uses when it exists). */
function firebaseApp(projectId: string | undefined): App {
  return (
    getApps().find((a) => a.options.projectId === projectId) ??
    initializeApp({ projectId }, `avalo-messaging-${projectId ?? "default"}`)
  );
}

/** Test seams: the push provider (replaces the one the config names). */
export interface NotificationWorkerDeps {
  readonly push: PushProvider;
}

/** The variables notification-worker reads, beyond every service's (`baseEnv`). */
export const SERVICE_ENV = { ...redisEnv, ...pushEnv, ...notificationEnv };

/**
 * notification-worker: the consumer of the notification-batch pipeline (`POST /pubsub/push`):
 * inbox items in Firestore, pushes coalesced per user in Redis windows and flushed by a loop
 * that stops when the app closes.
 */
export async function buildNotificationWorker(
  env: NodeJS.ProcessEnv,
  deps: Partial<NotificationWorkerDeps> = {},
): Promise<FastifyInstance> {
  const config = loadConfig(SERVICE_ENV, env);
  const auth = pushAuthFor(config);
  const production = config.AVALO_AUTH !== "local";
  if (!deps.push && production && config.NOTIFICATION_PUSH_PROVIDER !== "fcm") {
    throw new ConfigError(
      `invalid configuration:\n  NOTIFICATION_PUSH_PROVIDER: must be "fcm" when AVALO_AUTH=google-oidc ("recorded" is local only); ${
        config.NOTIFICATION_PUSH_PROVIDER === undefined
          ? "it is not set"
          : `"${config.NOTIFICATION_PUSH_PROVIDER}" was provided`
      }`,
      ["NOTIFICATION_PUSH_PROVIDER"],
    );
  }
  const db = getFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT });
  const providerName = deps.push ? "injected" : (config.NOTIFICATION_PUSH_PROVIDER ?? "recorded");
  const push =
    deps.push ??
    (providerName === "fcm"
      ? new FcmPushProvider(getMessaging(firebaseApp(config.GOOGLE_CLOUD_PROJECT)), (userId) =>
          deviceTokens(db, userId),
        )
      : new RecordedPushSink());
  const redis = connectRedis(config);
  let stopFlushLoop: (() => void) | undefined;
  return createServiceApp(
    {
      service: "notification-worker",
      config,
      checks: [firestoreCheck(db), redisCheck(redis)],
      onClose: async () => {
        stopFlushLoop?.();
        await redis.quit().catch(() => redis.disconnect());
      },
    },
    (app) => {
      if (providerName === "recorded") {
        app.log.warn(
          { push: "recorded" },
          "push provider: LOCAL recorded sink; notifications are NOT sent to devices",
        );
      } else {
        app.log.info({ push: providerName }, "push provider");
      }
      const handler = mountPipelinePush(app, {
        service: "notification-worker",
        pipelineName: "notification-batch",
        config,
        auth,
        db,
        redis,
        makeHandler: (handlerDeps) =>
          createNotificationBatchHandler(handlerDeps, {
            push,
            windowMillis: config.NOTIFICATION_WINDOW_MILLIS,
          }),
      });
      stopFlushLoop = handler.startFlushLoop();
    },
  );
}
