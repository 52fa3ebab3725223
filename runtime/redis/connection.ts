import Redis, { type RedisOptions } from "ioredis";

/**
 * Redis connections for the runtime. In production the config carries Memorystore's AUTH string
 * and in-transit encryption (TLS with the instance's server CA); locally the default is plain
 * loopback. Commands fail fast while Redis is unreachable so callers can degrade to the source
 * of truth instead of queueing forever.
 */

export interface RedisConnectionConfig {
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** @default 6379 */
  readonly port?: number;
  /** Memorystore AUTH string; omit for an unauthenticated local redis-server. */
  readonly password?: string;
  /** TLS (Memorystore in-transit encryption): `true`, or the server CA in PEM. @default false */
  readonly tls?: boolean | { readonly caPem: string; readonly servername?: string };
  /** Logical database. @default 0 */
  readonly db?: number;
  /** A command not answered in this time fails. @default 1000 */
  readonly commandTimeoutMillis?: number;
  /** Connect attempt timeout. @default 2000 */
  readonly connectTimeoutMillis?: number;
}

export const REDIS_DEFAULTS = {
  host: "127.0.0.1",
  port: 6379,
  db: 0,
  commandTimeoutMillis: 1000,
  connectTimeoutMillis: 2000,
  /** Reconnect backoff cap. */
  maxReconnectDelayMillis: 2000,
} as const;

/**
 * Reads `REDIS_HOST`, `REDIS_PORT`, `REDIS_PASSWORD` (AUTH), `REDIS_TLS` (`true`/`false`) and
 * `REDIS_TLS_CA` (PEM of the Memorystore server CA, implies TLS).
 */
export function redisConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RedisConnectionConfig {
  const port = env.REDIS_PORT === undefined ? undefined : Number(env.REDIS_PORT);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new RangeError(
      `\`REDIS_PORT\` must be an integer 1–65535, but "${env.REDIS_PORT}" was provided`,
    );
  }
  const tlsFlag = env.REDIS_TLS?.toLowerCase();
  if (tlsFlag !== undefined && tlsFlag !== "true" && tlsFlag !== "false") {
    throw new RangeError(
      `\`REDIS_TLS\` must be "true" or "false", but "${env.REDIS_TLS}" was provided`,
    );
  }
  const tls = env.REDIS_TLS_CA ? { caPem: env.REDIS_TLS_CA } : tlsFlag === "true";
  return {
    host: env.REDIS_HOST || undefined,
    port,
    password: env.REDIS_PASSWORD || undefined,
    tls,
  };
}

/** The ioredis options for `config`, with every default applied. */
export function redisOptions(config: RedisConnectionConfig = {}): RedisOptions {
  const tls =
    config.tls === true
      ? {}
      : config.tls
        ? {
            ca: config.tls.caPem,
            ...(config.tls.servername ? { servername: config.tls.servername } : {}),
          }
        : undefined;
  return {
    host: config.host ?? REDIS_DEFAULTS.host,
    port: config.port ?? REDIS_DEFAULTS.port,
    db: config.db ?? REDIS_DEFAULTS.db,
    ...(config.password ? { password: config.password } : {}),
    ...(tls ? { tls } : {}),
    commandTimeout: config.commandTimeoutMillis ?? REDIS_DEFAULTS.commandTimeoutMillis,
    connectTimeout: config.connectTimeoutMillis ?? REDIS_DEFAULTS.connectTimeoutMillis,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, REDIS_DEFAULTS.maxReconnectDelayMillis),
  };
}

/** Opens a connection; errors are reported through commands, never thrown as unhandled events. */
export function connectRedis(config: RedisConnectionConfig = {}): Redis {
  const redis = new Redis(redisOptions(config));
  // Without a listener ioredis prints every reconnect failure; callers see failures per command.
  redis.on("error", () => undefined);
  return redis;
}
