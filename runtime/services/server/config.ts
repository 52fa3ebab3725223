import { z } from "zod";
import { ENVIRONMENTS, GEOGRAPHY_IDS, REGION_IDS } from "../../topology";

/**
 * Service configuration from the environment, validated once at start. A missing or bad
 * variable is a `ConfigError` that names the variable, what it got and what is allowed; the
 * entry point prints it and exits, so a misconfigured revision never serves traffic.
 */

/** Variables every service reads. The Service component sets them from the stack. */
export const baseEnv = {
  /** Listen port; Cloud Run sets it. */
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  /** Avalo region this instance serves. */
  AVALO_REGION: z.enum(REGION_IDS),
  /** Geography of the stack (`local` on the local platform); a label for logs and traces. */
  AVALO_GEOGRAPHY: z.enum([...GEOGRAPHY_IDS, "local"]).optional(),
  /** Deployment environment of the stack; a label for logs and traces. */
  AVALO_ENVIRONMENT: z.enum(ENVIRONMENTS).optional(),
  /**
   * `google-oidc` verifies the caller's Google ID token (production); `local` accepts every
   * request and says so in the start-up log. Required: there is no silent default.
   */
  AVALO_AUTH: z.enum(["google-oidc", "local"]),
  /** This service's own URL: the audience of the ID tokens it accepts (google-oidc only). */
  AVALO_SERVICE_URL: z.url().optional(),
  /** GCP project, used for trace ids in logs and for the Google clients. */
  GOOGLE_CLOUD_PROJECT: z.string().min(1).default("avalo-local"),
  LOG_LEVEL: z.enum(["silent", "fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
};

/** Variables of services that use Memorystore (Redis). */
export const redisEnv = {
  REDIS_HOST: z.string().min(1),
  REDIS_PORT: z.coerce.number().int().min(1).max(65535).default(6379),
  /** Memorystore AUTH string (a Secret Manager reference in production). */
  REDIS_PASSWORD: z.string().min(1).optional(),
  /** `true` for Memorystore's in-transit encryption; checked by runtime/redis/connection.ts. */
  REDIS_TLS: z.string().optional(),
  /** Memorystore's CA certificate, PEM (a Secret Manager reference in production). */
  REDIS_TLS_CA: z.string().optional(),
};

export type EnvShape = Record<string, z.ZodType>;
export type BaseConfig = z.infer<z.ZodObject<typeof baseEnv>>;
export type Config<S extends EnvShape> = BaseConfig & z.infer<z.ZodObject<S>>;

/** A configuration variable is missing or invalid; the message names it. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly variables: readonly string[],
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

function describe(value: unknown): string {
  return value === undefined ? "it is not set" : `got ${JSON.stringify(value)}`;
}

/**
 * Parses `env` against the base variables plus `extra`. Throws a `ConfigError` naming every
 * bad variable, e.g. `AVALO_REGION must be one of "us-east", ...; it is not set`.
 */
export function loadConfig<S extends EnvShape>(
  extra: S,
  env: NodeJS.ProcessEnv = process.env,
): Config<S> {
  const schema = z.object({ ...baseEnv, ...extra });
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => String(i.path[0]));
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `${name}: ${i.message}; ${describe(env[name])}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`, names);
  }
  const config = parsed.data as Config<S>;
  if (config.AVALO_AUTH === "google-oidc" && !config.AVALO_SERVICE_URL) {
    throw new ConfigError(
      "invalid configuration:\n  AVALO_SERVICE_URL: required when AVALO_AUTH=google-oidc (it is the ID token audience); it is not set",
      ["AVALO_SERVICE_URL"],
    );
  }
  return config;
}
