import { getService } from "../catalog/services";
import { noIdTokens, type IdTokenSource } from "../services/clients/id-token";
import { LOAD_DEFAULTS } from "./defaults";
import { LoadOperationError } from "./errors";
import { HttpConnectionError, HttpConnectionPool } from "./http-connection-pool";
import type { HttpCall } from "./operations";

/**
 * The generator's HTTP sender: one keep-alive connection pool per service origin
 * (http-connection-pool.ts, at most `maxSockets` connections each), the callee's ID token from
 * the same IdTokenSource the typed clients use (audience: the service's base URL), the callee's
 * timeout from the service table (capped), one attempt and no circuit breaker: a load test must
 * see every failure rather than retry it away.
 */
export interface LoadHttpClientArgs {
  /** Base URL of a service. */
  readonly urlFor: (service: string) => string;
  readonly tokens: IdTokenSource;
  /** Connections per origin. */
  readonly maxSockets: number;
  /** @default LOAD_DEFAULTS.requestTimeoutMillis (lowered to the callee's timeout) */
  readonly timeoutMillis?: number;
}

interface Origin {
  readonly pool: HttpConnectionPool;
  /** Base path of the URL, without a trailing slash. */
  readonly basePath: string;
  /** ID-token audience: the base URL without a trailing slash. */
  readonly audience: string;
  readonly timeoutMillis: number;
}

const JSON_HEADERS = { "content-type": "application/json" } as const;

export class LoadHttpClient {
  private readonly origins = new Map<string, Origin>();

  constructor(private readonly args: LoadHttpClientArgs) {}

  /** Sends one call; resolves on a 2xx, rejects with LoadOperationError (with its type) otherwise. */
  send(call: HttpCall): Promise<void> {
    const origin = this.origin(call.service);
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    // Without a token there is nothing to await: one promise less on every request.
    if (this.args.tokens === noIdTokens) {
      return this.exchange(origin, call, body === undefined ? {} : JSON_HEADERS, body);
    }
    return this.args.tokens
      .headersFor(origin.audience)
      .then((token) =>
        this.exchange(
          origin,
          call,
          body === undefined ? token : { ...token, ...JSON_HEADERS },
          body,
        ),
      );
  }

  private exchange(
    origin: Origin,
    call: HttpCall,
    headers: Readonly<Record<string, string>>,
    body: string | undefined,
  ): Promise<void> {
    return origin.pool
      .request(call.method, `${origin.basePath}${call.path}`, headers, body, origin.timeoutMillis)
      .then(
        ({ status, text }) => {
          if (status < 200 || status >= 300) {
            throw new LoadOperationError(
              `http-${status}`,
              `${call.service} ${call.method} ${call.path}: HTTP ${status}: ${text}`,
            );
          }
        },
        (error: unknown) => {
          const code = error instanceof HttpConnectionError ? error.code : "error";
          throw new LoadOperationError(
            code === "timeout" ? "timeout" : `connection-${code}`,
            `${call.service} ${call.method} ${call.path}: ${(error as Error).message}`,
            { cause: error },
          );
        },
      );
  }

  /** Closes every kept-alive connection. */
  close(): void {
    for (const o of this.origins.values()) o.pool.close();
    this.origins.clear();
  }

  private origin(service: string): Origin {
    let origin = this.origins.get(service);
    if (!origin) {
      const url = new URL(this.args.urlFor(service));
      const basePath = url.pathname.replace(/\/$/, "");
      origin = {
        pool: new HttpConnectionPool({ url, maxSockets: this.args.maxSockets }),
        basePath,
        audience: `${url.origin}${basePath}`,
        timeoutMillis: Math.min(
          this.args.timeoutMillis ?? LOAD_DEFAULTS.requestTimeoutMillis,
          getService(service).timeoutSeconds * 1000,
        ),
      };
      this.origins.set(service, origin);
    }
    return origin;
  }
}
