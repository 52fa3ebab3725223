import { randomUUID } from "node:crypto";
import type { LocalProcess } from "../../../runtime/local/processes";

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
