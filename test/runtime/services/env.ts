import { randomUUID } from "node:crypto";
import type { LocalProcess } from "../../../runtime/local/processes";
import type { ServiceEnvSources } from "../../../runtime/services/container";

/** Environment of a service under test in local auth mode, with quiet logs. */
export function localEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { AVALO_REGION: "us-east", AVALO_AUTH: "local", LOG_LEVEL: "silent", ...extra };
}

/** Environment pointing at a redis-server. */
export function redisEnvFor(
  redis: LocalProcess,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return localEnv({ REDIS_HOST: redis.host, REDIS_PORT: String(redis.port), ...extra });
}

/** Production auth mode: tokens are required. */
export function productionEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return localEnv({
    AVALO_AUTH: "google-oidc",
    AVALO_SERVICE_URL: "https://svc.a.run.app",
    ...extra,
  });
}

/** A unique id, so tests sharing one redis-server never see each other's keys. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The deploy contract's sources as a Cloud Run stack in eu-west gives them. */
export const CLOUD: ServiceEnvSources<string> = {
  region: "eu-west",
  geography: "eu",
  environment: "prod",
  project: "avalo-eu",
  auth: "google-oidc",
  serviceUrl: (s) => `https://${s}-1.europe-west1.run.app`,
  redis: { host: "10.0.0.3", port: "6378", tls: true },
  pushInvoker: (p) => `${p}-push@avalo-eu.iam.gserviceaccount.com`,
  analytics: { dataset: "avalo_eu" },
  media: { bucket: "avalo-eu-media" },
  uploads: { bucket: "avalo-eu-media" },
  ai: { vertexLocation: "europe-west1" },
  notifications: "fcm",
};
