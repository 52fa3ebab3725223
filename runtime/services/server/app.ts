import type { Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { getService } from "../../catalog/services";
import {
  googleOidcAuthenticator,
  localAuthenticator,
  UnauthorizedError,
  type Authenticator,
  type Caller,
} from "./auth";
import type { BaseConfig } from "./config";
import { HttpError, sendError } from "./errors";
import { runHealthChecks, type DependencyCheck } from "./health";
import { cloudLoggingOptions } from "./logger";

/**
 * The fastify app every service is built on: Cloud Logging logs, `/healthz` over the
 * service's own dependencies, authentication of every other route, bodies bounded by each
 * route's own limit (413 before reading past it, see `mountBodyRoute`) and validated with zod
 * (see `parseBody`), and one error format.
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

/** Body limit of routes that declare none (only routes without a body may). */
const NO_BODY_LIMIT_BYTES = 1024;

/** Methods whose routes must declare a body limit. */
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** Content encodings a body may arrive in; each is undone under the route's limit. */
const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** A body route as mounted: method, path and its limit. */
export interface MountedBodyRoute {
  readonly method: string;
  readonly url: string;
  readonly bodyLimitBytes: number;
}

const mountedBodyRoutes = new WeakMap<FastifyInstance, MountedBodyRoute[]>();

/** The body routes of an app built by {@link createServiceApp}, with their limits. */
export function bodyRoutesOf(app: FastifyInstance): readonly MountedBodyRoute[] {
  return mountedBodyRoutes.get(app) ?? [];
}

function tooLarge(req: FastifyRequest, limit: number): HttpError {
  return new HttpError(
    413,
    `request body is larger than the ${limit}-byte limit of ${req.method} ${req.routeOptions.url ?? req.url}`,
    { field: "body", limitBytes: limit },
  );
}

/**
 * Reads a body, refusing it with a 413 as soon as it passes `limit` bytes: a declared
 * Content-Length over the limit is refused before any byte is read, and a compressed body is
 * inflated only up to the limit (the compressed bytes count against it too).
 */
function readBody(
  req: FastifyRequest,
  payload: NodeJS.ReadableStream,
  limit: number,
): Promise<Buffer> {
  const encoding = String(req.headers["content-encoding"] ?? "identity")
    .trim()
    .toLowerCase();
  const decoder = encoding === "identity" ? undefined : DECODERS[encoding];
  if (encoding !== "identity" && !decoder) {
    return Promise.reject(
      new HttpError(
        415,
        `content-encoding "${encoding}" is not accepted; use one of identity, ${Object.keys(DECODERS).join(", ")}`,
        { field: "content-encoding" },
      ),
    );
  }
  if (Number(req.headers["content-length"]) > limit) return Promise.reject(tooLarge(req, limit));
  return new Promise((resolve, reject) => {
    const inflater = decoder?.();
    const body = inflater ? payload.pipe(inflater) : payload;
    const chunks: Buffer[] = [];
    let raw = 0;
    let decoded = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      payload.removeListener("data", onRaw);
      body.removeListener("data", onDecoded);
      if (!error) return resolve(Buffer.concat(chunks));
      // Stop reading: the client's remaining bytes are never pulled, and the error reply
      // closes the connection.
      if (inflater) payload.unpipe(inflater);
      payload.pause();
      inflater?.destroy();
      reject(error);
    };
    const onRaw = (c: Buffer) => {
      raw += c.length;
      if (raw > limit) finish(tooLarge(req, limit));
    };
    const onDecoded = (c: Buffer) => {
      decoded += c.length;
      if (decoded > limit) return finish(tooLarge(req, limit));
      chunks.push(c);
    };
    if (inflater) payload.on("data", onRaw);
    body.on("data", onDecoded);
    body.on("end", () => finish());
    body.on("error", (error: Error) =>
      finish(
        inflater
          ? new HttpError(400, `invalid ${encoding} body: ${error.message}`, { field: "body" })
          : error,
      ),
    );
    if (inflater) payload.on("error", (error: Error) => finish(error));
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
    bodyLimit: NO_BODY_LIMIT_BYTES,
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

  const bodyRoutes: MountedBodyRoute[] = [];
  mountedBodyRoutes.set(app, bodyRoutes);
  app.addHook("onRoute", (route) => {
    const methods = [route.method].flat().filter((m) => BODY_METHODS.has(m));
    if (methods.length === 0) return;
    if (route.bodyLimit === undefined) {
      throw new Error(
        `${spec.name}: ${methods.join("/")} ${route.url} declares no body limit; mount it with mountBodyRoute and a bodyLimitBytes from its contract`,
      );
    }
    for (const method of methods) {
      bodyRoutes.push({ method, url: route.url, bodyLimitBytes: route.bodyLimit });
    }
  });

  app.removeContentTypeParser(["application/json"]);
  app.addContentTypeParser("application/json", (req, payload, done) => {
    readBody(req, payload, req.routeOptions.bodyLimit ?? NO_BODY_LIMIT_BYTES).then(
      (buf) => {
        if (buf.length === 0) return done(null, undefined);
        try {
          done(null, JSON.parse(buf.toString("utf8")));
        } catch (error) {
          done(
            new HttpError(400, `invalid JSON body: ${(error as Error).message}`, { field: "body" }),
            undefined,
          );
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
