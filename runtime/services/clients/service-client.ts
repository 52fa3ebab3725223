import { getService } from "../../catalog/services";
import { backoffDelayMillis } from "./backoff";
import { CircuitBreaker } from "./breaker";
import { CLIENT_DEFAULTS } from "./defaults";
import { ServiceCallError, type CallFailure } from "./errors";
import type { IdTokenSource } from "./id-token";

/**
 * The HTTP core of every typed service client: ID token per call, the callee's timeout from
 * the service table, retries with jittered backoff for idempotent calls on 429, 503 and
 * timeouts, and a circuit breaker that fails fast while the callee is down.
 */
export interface ServiceClientArgs {
  /** Callee name from the service table. */
  readonly service: string;
  /** Callee base URL (its Cloud Run URL, which is also the token audience). */
  readonly baseUrl: string;
  readonly tokens: IdTokenSource;
  /** Per-call timeout. @default the callee's timeoutSeconds from the service table */
  readonly timeoutMillis?: number;
  readonly maxAttempts?: number;
  readonly backoffBaseMillis?: number;
  readonly backoffMaxMillis?: number;
  readonly breakerFailureThreshold?: number;
  readonly breakerCoolDownMillis?: number;
  /** Injectable for tests. */
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface CallArgs {
  /** Call name used in errors, e.g. `score`. */
  readonly call: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  readonly body?: unknown;
  /** Only idempotent calls are retried. */
  readonly idempotent: boolean;
  readonly timeoutMillis?: number;
  /** `bytes` resolves the body as a Buffer (e.g. application/pdf). @default "json" */
  readonly responseType?: "json" | "bytes";
}

const RETRYABLE_STATUS = new Set([429, 503]);

interface AttemptFailure {
  readonly failure: CallFailure;
  readonly detail: string;
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMillis?: number;
  readonly cause?: unknown;
}

export class ServiceClient {
  readonly service: string;
  readonly breaker: CircuitBreaker;
  private readonly baseUrl: string;
  private readonly timeoutMillis: number;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly args: ServiceClientArgs) {
    this.service = getService(args.service).name;
    this.baseUrl = args.baseUrl.replace(/\/$/, "");
    this.timeoutMillis = args.timeoutMillis ?? getService(args.service).timeoutSeconds * 1000;
    this.maxAttempts = args.maxAttempts ?? CLIENT_DEFAULTS.maxAttempts;
    if (this.maxAttempts < 1) {
      throw new Error(`maxAttempts must be at least 1, but ${this.maxAttempts} was provided`);
    }
    this.sleep = args.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.breaker = new CircuitBreaker({
      failureThreshold: args.breakerFailureThreshold ?? CLIENT_DEFAULTS.breakerFailureThreshold,
      coolDownMillis: args.breakerCoolDownMillis ?? CLIENT_DEFAULTS.breakerCoolDownMillis,
      now: args.now,
    });
  }

  /** Sends one call, retrying where allowed; resolves the JSON body (undefined for 204). */
  async call<T>(c: CallArgs): Promise<T> {
    const attempts = c.idempotent ? this.maxAttempts : 1;
    let last: AttemptFailure | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (!this.breaker.tryAcquire()) {
        throw new ServiceCallError(
          this.service,
          c.call,
          attempt - 1,
          "circuit-open",
          `circuit open after repeated failures; next trial in ${this.breaker.retryInMillis()} ms` +
            (last ? `; last failure: ${last.detail}` : ""),
        );
      }
      const outcome = await this.attempt<T>(c);
      if (outcome.ok) {
        this.breaker.onSuccess();
        return outcome.value;
      }
      last = outcome.failure;
      if (last.failure === "http" && !last.retryable && (last.status ?? 500) < 500) {
        // A client error is the caller's fault, not the callee's health.
        this.breaker.onSuccess();
      } else {
        this.breaker.onFailure();
      }
      if (!last.retryable || attempt === attempts) {
        throw new ServiceCallError(
          this.service,
          c.call,
          attempt,
          last.failure,
          last.detail,
          last.status,
          { cause: last.cause },
        );
      }
      const backoff = backoffDelayMillis(
        attempt,
        {
          baseMillis: this.args.backoffBaseMillis ?? CLIENT_DEFAULTS.backoffBaseMillis,
          maxMillis: this.args.backoffMaxMillis ?? CLIENT_DEFAULTS.backoffMaxMillis,
        },
        this.args.random,
      );
      const maxMillis = this.args.backoffMaxMillis ?? CLIENT_DEFAULTS.backoffMaxMillis;
      await this.sleep(Math.min(maxMillis, Math.max(backoff, last.retryAfterMillis ?? 0)));
    }
    throw new Error("unreachable");
  }

  private async attempt<T>(
    c: CallArgs,
  ): Promise<{ ok: true; value: T } | { ok: false; failure: AttemptFailure }> {
    const url = `${this.baseUrl}${c.path}`;
    const timeoutMillis = c.timeoutMillis ?? this.timeoutMillis;
    let res: Response;
    try {
      const headers = {
        ...(await this.args.tokens.headersFor(this.baseUrl)),
        ...(c.body === undefined ? {} : { "content-type": "application/json" }),
      };
      res = await fetch(url, {
        method: c.method,
        headers,
        body: c.body === undefined ? undefined : JSON.stringify(c.body),
        signal: AbortSignal.timeout(timeoutMillis),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === "TimeoutError" || name === "AbortError") {
        return {
          ok: false,
          failure: {
            failure: "timeout",
            detail: `no response within ${timeoutMillis} ms`,
            retryable: c.idempotent,
            cause: error,
          },
        };
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return {
        ok: false,
        failure: {
          failure: "network",
          detail: `${(error as Error).message}${cause?.code ? ` (${cause.code})` : ""}`,
          retryable: c.idempotent,
          cause: error,
        },
      };
    }
    if (res.ok && c.responseType === "bytes") {
      return { ok: true, value: Buffer.from(await res.arrayBuffer()) as T };
    }
    const text = await res.text();
    if (res.ok) {
      return { ok: true, value: (text ? JSON.parse(text) : undefined) as T };
    }
    const retryAfter = Number(res.headers.get("retry-after"));
    return {
      ok: false,
      failure: {
        failure: "http",
        status: res.status,
        detail: `HTTP ${res.status}: ${text.slice(0, 300)}`,
        retryable: c.idempotent && RETRYABLE_STATUS.has(res.status),
        retryAfterMillis:
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      },
    };
  }
}
