import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { getService } from "../services/catalog";
import type { IdTokenSource } from "../services/clients/id-token";
import { LOAD_DEFAULTS } from "./defaults";
import { LoadOperationError } from "./errors";
import type { HttpCall } from "./operations";

/**
 * The generator's HTTP sender: keep-alive sockets per origin (node:http, one agent per origin,
 * at most `maxSockets` each), the callee's ID token from the same IdTokenSource the typed
 * clients use, the callee's timeout from the service table (capped), one attempt and no circuit
 * breaker: a load test must see every failure rather than retry it away. The typed clients'
 * fetch path was measured at a small fraction of autocannon's req/s on this machine, too slow to
 * drive the load itself.
 */
export interface LoadHttpClientArgs {
  /** Base URL of a service. */
  readonly urlFor: (service: string) => string;
  readonly tokens: IdTokenSource;
  /** Sockets per origin. */
  readonly maxSockets: number;
  /** @default LOAD_DEFAULTS.requestTimeoutMillis (lowered to the callee's timeout) */
  readonly timeoutMillis?: number;
}

interface Origin {
  readonly base: URL;
  readonly agent: HttpAgent;
  readonly https: boolean;
  readonly timeoutMillis: number;
}

export class LoadHttpClient {
  private readonly origins = new Map<string, Origin>();

  constructor(private readonly args: LoadHttpClientArgs) {}

  /** Sends one call; resolves on a 2xx (body read and dropped), throws LoadOperationError else. */
  async send(call: HttpCall): Promise<void> {
    const origin = this.origin(call.service);
    const headers: Record<string, string> = {
      ...(await this.args.tokens.headersFor(
        origin.base.origin + origin.base.pathname.replace(/\/$/, ""),
      )),
    };
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    const basePath = origin.base.pathname.replace(/\/$/, "");
    await new Promise<void>((resolve, reject) => {
      const req = (origin.https ? httpsRequest : httpRequest)(
        {
          protocol: origin.base.protocol,
          hostname: origin.base.hostname,
          port: origin.base.port || undefined,
          path: `${basePath}${call.path}`,
          method: call.method,
          headers,
          agent: origin.agent,
        },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            res.on("data", () => undefined);
            res.on("end", resolve);
            res.on("error", (error) => reject(connectionError(error)));
            return;
          }
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            if (text.length < 300) text += chunk;
          });
          res.on("end", () =>
            reject(
              new LoadOperationError(
                `http-${status}`,
                `${call.service} ${call.method} ${call.path}: HTTP ${status}: ${text.slice(0, 300)}`,
              ),
            ),
          );
          res.on("error", (error) => reject(connectionError(error)));
        },
      );
      req.setTimeout(origin.timeoutMillis, () => {
        req.destroy(
          new LoadOperationError(
            "timeout",
            `${call.service} ${call.method} ${call.path}: no response within ${origin.timeoutMillis} ms`,
          ),
        );
      });
      req.on("error", (error) =>
        reject(error instanceof LoadOperationError ? error : connectionError(error)),
      );
      req.end(body);
    });
  }

  /** Closes every kept-alive socket. */
  close(): void {
    for (const o of this.origins.values()) o.agent.destroy();
    this.origins.clear();
  }

  private origin(service: string): Origin {
    let origin = this.origins.get(service);
    if (!origin) {
      const base = new URL(this.args.urlFor(service));
      const https = base.protocol === "https:";
      const options = {
        keepAlive: true,
        maxSockets: this.args.maxSockets,
        scheduling: "lifo" as const,
      };
      origin = {
        base,
        https,
        agent: https ? new HttpsAgent(options) : new HttpAgent(options),
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

function connectionError(error: unknown): LoadOperationError {
  const code = (error as { code?: string }).code ?? "error";
  return new LoadOperationError(`connection-${code}`, (error as Error).message, { cause: error });
}
