import type { PipelineName } from "../catalog/pipelines";
import type { ServiceName } from "../catalog/services";
import type { Operation } from "./mix";
import type { VirtualUser } from "./virtual-users";

/**
 * How each operation of the mix reaches the platform's real entry points.
 *
 * | operation | HTTP (every target)                                      | local target (event-driven)                      |
 * |-----------|----------------------------------------------------------|--------------------------------------------------|
 * | feed      | ranking-engine `POST /v1/rank` (the user's feed page)     | same                                             |
 * | profile   | fraud-analyzer `PUT /v1/profiles/:userId` (home country)  | same                                             |
 * | likes     | ranking-engine `POST /v1/interactions` (affinity, weight 1) | publish `notification-batch` kind `like` to the liked user |
 * | chat      | analytics-aggregator `POST /v1/events` (`chat_message`)   | publish `notification-batch` kind `message` to the peer |
 * | ai        | ai-inference `POST /v1/generate` (companion reply)        | same                                             |
 * | payments  | fraud-analyzer `POST /v1/score` (score the payment)       | same                                             |
 *
 * The platform has no profile-read API; fraud-analyzer's profile PUT is its only profile entry
 * point. Likes and chat are events: on the local target they go through the pipeline publisher
 * (latency = until Pub/Sub confirms the publish; the consumer's work is asynchronous and shows in
 * the platform's CPU, not in the latency). A staging target is reached over HTTP only, so there
 * likes and chat use the HTTP entry point of the same effect instead.
 */

/** One HTTP request to a service. */
export interface HttpCall {
  readonly kind: "http";
  readonly service: ServiceName;
  readonly method: "GET" | "POST" | "PUT";
  readonly path: string;
  readonly body?: unknown;
}

/** One event published to a pipeline. */
export interface PublishCall {
  readonly kind: "publish";
  readonly pipeline: PipelineName;
  /** Event id (deterministic per run and arrival). */
  readonly id: string;
  readonly event: Record<string, unknown>;
}

/** What an operation is built from. */
export interface OperationContext {
  readonly user: VirtualUser;
  /** Another user: the one liked or messaged. */
  readonly peer: VirtualUser;
  /** Arrival number in the run (unique per shard). */
  readonly seq: number;
  readonly runId: string;
  /** Send time, ms since the epoch (a number: most operations never need a Date). */
  readonly nowMillis: number;
}

export interface OperationRoute {
  /** The HTTP entry point, one line. */
  readonly http: string;
  /** The event-driven entry point used by the local target, one line. */
  readonly publish?: string;
  httpCall(ctx: OperationContext): HttpCall;
  publishCall?(ctx: OperationContext): PublishCall;
}

const uniqueId = (ctx: OperationContext, kind: string) => `load-${ctx.runId}-${kind}-${ctx.seq}`;

export const OPERATION_ROUTES: Readonly<Record<Operation, OperationRoute>> = {
  feed: {
    http: "ranking-engine POST /v1/rank",
    httpCall: (ctx) => ({
      kind: "http",
      service: "ranking-engine",
      method: "POST",
      path: "/v1/rank",
      body: { userId: ctx.user.id, limit: 20 },
    }),
  },
  profile: {
    http: "fraud-analyzer PUT /v1/profiles/:userId",
    httpCall: (ctx) => ({
      kind: "http",
      service: "fraud-analyzer",
      method: "PUT",
      path: `/v1/profiles/${encodeURIComponent(ctx.user.id)}`,
      body: { country: ctx.user.country },
    }),
  },
  likes: {
    http: "ranking-engine POST /v1/interactions",
    publish: "publish notification-batch (kind like)",
    httpCall: (ctx) => ({
      kind: "http",
      service: "ranking-engine",
      method: "POST",
      path: "/v1/interactions",
      body: { userId: ctx.user.id, authorId: ctx.peer.id, weight: 1 },
    }),
    publishCall: (ctx) => ({
      kind: "publish",
      pipeline: "notification-batch",
      id: uniqueId(ctx, "like"),
      event: {
        notificationId: uniqueId(ctx, "like"),
        userId: ctx.peer.id,
        kind: "like",
        title: "New like",
        body: `${ctx.user.id} liked your profile`,
      },
    }),
  },
  chat: {
    http: "analytics-aggregator POST /v1/events (chat_message)",
    publish: "publish notification-batch (kind message)",
    httpCall: (ctx) => ({
      kind: "http",
      service: "analytics-aggregator",
      method: "POST",
      path: "/v1/events",
      body: {
        events: [
          {
            eventName: "chat_message",
            userId: ctx.user.id,
            at: new Date(ctx.nowMillis).toISOString(),
            value: 1,
          },
        ],
      },
    }),
    publishCall: (ctx) => ({
      kind: "publish",
      pipeline: "notification-batch",
      id: uniqueId(ctx, "chat"),
      event: {
        notificationId: uniqueId(ctx, "chat"),
        userId: ctx.peer.id,
        kind: "message",
        title: "New message",
        body: `message ${ctx.seq} from ${ctx.user.id}`,
      },
    }),
  },
  ai: {
    http: "ai-inference POST /v1/generate",
    httpCall: (ctx) => ({
      kind: "http",
      service: "ai-inference",
      method: "POST",
      path: "/v1/generate",
      body: {
        userId: ctx.user.id,
        companionId: ctx.user.companionId,
        prompt: `load ${ctx.runId} #${ctx.seq}: how was your day?`,
      },
    }),
  },
  payments: {
    http: "fraud-analyzer POST /v1/score",
    httpCall: (ctx) => ({
      kind: "http",
      service: "fraud-analyzer",
      method: "POST",
      path: "/v1/score",
      body: {
        transactionId: uniqueId(ctx, "tx"),
        userId: ctx.user.id,
        amountMinor: 100 + (ctx.seq % 5000),
        currency: "USD",
        deviceId: ctx.user.deviceId,
        country: ctx.user.country,
      },
    }),
  },
};

/** Services an operation's HTTP entry point reaches (for the simulation's instance model). */
export function serviceOf(op: Operation): ServiceName {
  return OPERATION_ROUTES[op].httpCall({
    user: PLACEHOLDER_USER,
    peer: PLACEHOLDER_USER,
    seq: 0,
    runId: "x",
    nowMillis: 0,
  }).service;
}

const PLACEHOLDER_USER: VirtualUser = {
  id: "u",
  country: "US",
  deviceId: "d",
  companionId: "c",
  started: 0,
  failed: 0,
};
