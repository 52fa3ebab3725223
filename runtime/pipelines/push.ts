import type { FastifyInstance } from "fastify";
import { OAuth2Client } from "google-auth-library";
import { z } from "zod";
import type { PipelineSpec } from "../catalog/pipelines";
import type { RegionId } from "../topology";
import { ConsumerCore, type ConsumerCoreArgs, type Outcome } from "./consumer";
import type { IncomingMessage } from "./deadletter";
import { errorMessage } from "./errors";
import { jsonLogger, type Logger } from "./log";

/**
 * The push handler for Cloud Run: decodes the Pub/Sub push wrapper, verifies the OIDC token in
 * production and hands the message to the consumer core. Ack is a 2xx; anything transient is a
 * 503 so Pub/Sub redelivers with the subscription's backoff.
 */

/** How push requests are authenticated. Local mode (the emulator sends no token) is explicit. */
export type PushAuth =
  | {
      readonly mode: "oidc";
      /** The audience the push subscription puts in its tokens (the service URL). */
      readonly audience: string;
      /** The invoker service account the subscription signs as. */
      readonly serviceAccountEmail: string;
      /** @default new OAuth2Client() */
      readonly client?: Pick<OAuth2Client, "verifyIdToken">;
    }
  | { readonly mode: "local" };

/** A framework-agnostic HTTP response. */
export interface PushResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export type PushRequestHandler = (
  body: unknown,
  headers: Readonly<Record<string, string | string[] | undefined>>,
) => Promise<PushResponse>;

export interface PushHandlerArgs {
  readonly core: ConsumerCore;
  readonly auth: PushAuth;
  readonly logger?: Logger;
}

/**
 * Largest push request accepted, in bytes. The largest event any pipeline carries (a 4000-
 * character prompt, at most 12 KB of UTF-8) grows by a third in base64 inside the wrapper, with
 * its attributes beside it; 64 KiB leaves room for that several times over.
 */
export const PUSH_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The Pub/Sub push wrapper, as far as the handler reads it. Objects stay open: Pub/Sub adds
 * fields (`message_id`, `publish_time`, `orderingKey`) that an old consumer must tolerate.
 */
export const pushRequest = z.looseObject({
  message: z.looseObject({
    data: z.base64().max(PUSH_BODY_LIMIT_BYTES).optional(),
    /** Pub/Sub allows 100 attributes, keys of 256 bytes and values of 1024 bytes. */
    attributes: z
      .record(z.string().max(256), z.string().max(1024))
      .refine((a) => Object.keys(a).length <= 100, "must have at most 100 attributes")
      .optional(),
    messageId: z.string().min(1).max(128).optional(),
    message_id: z.string().min(1).max(128).optional(),
    publishTime: z.string().max(64).optional(),
  }),
  subscription: z.string().max(1024).optional(),
  deliveryAttempt: z.number().int().min(1).max(1000).optional(),
});

/** Why a push body was refused, naming the field. */
export interface PushBodyError {
  readonly error: string;
  readonly field: string;
}

/** Turns a push body into a message, or explains what is wrong with it. */
export function decodePushBody(body: unknown): IncomingMessage | PushBodyError {
  const message = (body as { message?: unknown } | null | undefined)?.message;
  if (!message || typeof message !== "object" || Array.isArray(message)) {
    return { error: 'push body has no "message" object', field: "message" };
  }
  const parsed = pushRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map(String).join(".");
    return { error: `push body field "${field}": ${issue.message}`, field };
  }
  const m = parsed.data.message;
  const id = m.messageId ?? m.message_id;
  if (!id) {
    return {
      error: 'push body field "message.messageId" is missing',
      field: "message.messageId",
    };
  }
  return {
    id,
    data: Buffer.from(m.data ?? "", "base64"),
    attributes: m.attributes ?? {},
    deliveryAttempt: parsed.data.deliveryAttempt,
    publishTime: m.publishTime,
  };
}

function statusOf(outcome: Outcome): number {
  return outcome.action === "ack" ? 200 : 503;
}

/** Builds `handlePush(body, headers) → {status, body}`. */
export function createPushHandler(args: PushHandlerArgs): PushRequestHandler {
  const logger = args.logger ?? jsonLogger;
  const { auth } = args;
  const client = auth.mode === "oidc" ? (auth.client ?? new OAuth2Client()) : undefined;
  if (auth.mode === "local") {
    logger.warn("push handler in LOCAL mode: requests are not authenticated", {
      pipeline: args.core.pipeline.name,
    });
  }

  async function verify(
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): Promise<PushResponse | undefined> {
    if (auth.mode === "local" || !client) return undefined;
    const header = headers.authorization ?? headers.Authorization;
    const value = Array.isArray(header) ? header[0] : header;
    const match = /^Bearer (.+)$/.exec(value ?? "");
    if (!match) return { status: 401, body: { error: "missing bearer token" } };
    try {
      const ticket = await client.verifyIdToken({ idToken: match[1], audience: auth.audience });
      const payload = ticket.getPayload();
      if (payload?.email !== auth.serviceAccountEmail || payload.email_verified !== true) {
        return {
          status: 403,
          body: { error: `token email "${payload?.email ?? ""}" is not the push service account` },
        };
      }
      return undefined;
    } catch (err) {
      return { status: 401, body: { error: `invalid token: ${errorMessage(err)}` } };
    }
  }

  return async (body, headers) => {
    const denied = await verify(headers);
    if (denied) {
      logger.warn("push request rejected", {
        pipeline: args.core.pipeline.name,
        status: denied.status,
        ...denied.body,
      });
      return denied;
    }
    const message = decodePushBody(body);
    if ("error" in message) return { status: 400, body: { ...message } };
    const outcome = await args.core.process(message);
    return { status: statusOf(outcome), body: { ...outcome } };
  };
}

/** Dependencies of `registerPushRoute`. */
export interface PushRouteDeps<P extends PipelineSpec> extends Omit<
  ConsumerCoreArgs<P>,
  "regionFilter"
> {
  readonly auth: PushAuth;
  /** Local mode only: the region this service stands for (the emulator ignores filters). */
  readonly regionFilter?: RegionId;
  /** @default "/pubsub/push" */
  readonly path?: string;
}

/**
 * Mounts POST /pubsub/push for one pipeline on a fastify app and drains the core when the app
 * closes. Returns the core (for metrics and drain).
 */
export function registerPushRoute<P extends PipelineSpec>(
  app: FastifyInstance,
  pipeline: P,
  deps: PushRouteDeps<P>,
): ConsumerCore<P> {
  if (deps.handler.pipeline.name !== pipeline.name) {
    throw new Error(
      `registerPushRoute: handler is for pipeline "${deps.handler.pipeline.name}", but the route is for "${pipeline.name}"`,
    );
  }
  if (deps.regionFilter && deps.auth.mode !== "local") {
    throw new Error(
      'registerPushRoute: regionFilter emulates subscription filters and is allowed only with auth.mode "local"',
    );
  }
  const core = new ConsumerCore<P>(deps);
  const handle = createPushHandler({
    core: core as unknown as ConsumerCore,
    auth: deps.auth,
    logger: deps.logger,
  });
  app.post(
    deps.path ?? "/pubsub/push",
    { bodyLimit: PUSH_BODY_LIMIT_BYTES },
    async (request, reply) => {
      const response = await handle(request.body, request.headers);
      return reply.code(response.status).send(response.body);
    },
  );
  app.addHook("onClose", async () => {
    await core.drain();
  });
  return core;
}
