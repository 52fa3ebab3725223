import type { IncomingMessage } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";
import { getService } from "../catalog";
import {
  googleOidcAuthenticator,
  localAuthenticator,
  UnauthorizedError,
  type Authenticator,
  type Caller,
} from "./auth";
import type { BaseConfig } from "./config";
import { sendError } from "./errors";
import { runHealthChecks, type DependencyCheck } from "./health";
import { cloudLoggingOptions } from "./logger";

/**
 * The fastify app every service is built on: Cloud Logging logs, `/healthz` over the
 * service's own dependencies, authentication of every other route, zod-validated bodies
 * (see `parseBody`) and one error format.
 */
export interface ServiceAppArgs {
  /** Name from the service table. */
  readonly service: string;
  readonly config: BaseConfig;
  /** Dependencies `/healthz` checks. */
  readonly checks?: readonly DependencyCheck[];
  /** Replaces the authenticator the config selects (tests use a fake token verifier). */
  readonly authenticator?: Authenticator;
  /** Called when the app closes, after in-flight requests finish: close clients here. */
  readonly onClose?: () => Promise<void> | void;
  /** Log destination; stdout by default. */
  readonly logStream?: NodeJS.WritableStream;
  /** Largest accepted body in bytes. @default 10 MiB */
  readonly bodyLimitBytes?: number;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller (set for every route but `/healthz`). */
    caller?: Caller;
  }
}

/** Paths served without authentication: Cloud Run's probes carry no token. */
const PUBLIC_PATHS = new Set(["/healthz"]);

function authenticatorFor(config: BaseConfig): Authenticator {
  if (config.AVALO_AUTH === "local") return localAuthenticator;
  const url = config.AVALO_SERVICE_URL!.replace(/\/$/, "");
  return googleOidcAuthenticator([url, `${url}/pubsub/push`]);
}

/**
 * Reads a JSON body. Under the Functions Framework, Express has already consumed the stream
 * and kept the bytes in `rawBody`; standalone, the stream is read here.
 */
function readBody(raw: IncomingMessage, payload: NodeJS.ReadableStream): Promise<Buffer> {
  const pre = (raw as IncomingMessage & { rawBody?: Buffer }).rawBody;
  if (pre) return Promise.resolve(pre);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    payload.on("data", (c: Buffer) => chunks.push(c));
    payload.on("end", () => resolve(Buffer.concat(chunks)));
    payload.on("error", reject);
  });
}

/** Builds the app; `register` adds the service's routes. The app is not listening yet. */
export async function createServiceApp(
  args: ServiceAppArgs,
  register: (app: FastifyInstance) => Promise<void> | void,
): Promise<FastifyInstance> {
  const spec = getService(args.service);
  const app = Fastify({
    ...cloudLoggingOptions({
      service: spec.name,
      projectId: args.config.GOOGLE_CLOUD_PROJECT,
      level: args.config.LOG_LEVEL,
      stream: args.logStream,
    }),
    bodyLimit: args.bodyLimitBytes ?? 10 * 1024 * 1024,
    return503OnClosing: true,
    requestTimeout: spec.timeoutSeconds * 1000,
  });
  const auth = args.authenticator ?? authenticatorFor(args.config);
  if (auth.mode === "local") {
    app.log.warn(
      { auth: "local" },
      "auth: LOCAL mode (AVALO_AUTH=local): requests are NOT authenticated; never use this in production",
    );
  } else {
    app.log.info({ auth: auth.mode, audience: args.config.AVALO_SERVICE_URL }, "auth: Google OIDC");
  }

  app.removeContentTypeParser(["application/json"]);
  app.addContentTypeParser("application/json", (req, payload, done) => {
    readBody(req.raw, payload).then(
      (buf) => {
        if (buf.length === 0) return done(null, undefined);
        try {
          done(null, JSON.parse(buf.toString("utf8")));
        } catch (error) {
          const err = new Error(`invalid JSON body: ${(error as Error).message}`) as Error & {
            statusCode: number;
          };
          err.statusCode = 400;
          done(err, undefined);
        }
      },
      (error: Error) => done(error, undefined),
    );
  });

  app.setErrorHandler(sendError);
  // Keep-alive sockets would hold a draining server open: responses sent during the drain
  // close their connection.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_req, reply) => {
    if (closing) reply.header("connection", "close");
  });
  app.addHook("onRequest", async (req, reply) => {
    if (PUBLIC_PATHS.has(req.url.split("?")[0])) return;
    try {
      req.caller = await auth.authenticate(req.headers.authorization);
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      req.log.warn({ reason: error.message }, "unauthenticated request rejected");
      return reply.status(401).send({ error: error.message });
    }
  });

  const checks = args.checks ?? [];
  app.get("/healthz", async (_req, reply) => {
    const report = await runHealthChecks(checks);
    return reply.status(report.status === "ok" ? 200 : 503).send({ service: spec.name, ...report });
  });
  if (args.onClose) {
    const onClose = args.onClose;
    app.addHook("onClose", async () => {
      await onClose();
    });
  }
  await register(app);
  return app;
}
