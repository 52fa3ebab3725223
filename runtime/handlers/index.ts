import type { PipelineName } from "../catalog/names";
import type { PipelineHandler } from "../pipelines/consumer";
import {
  createAiGenerationHandler,
  PUBLISHES as AI_GENERATION,
  type AiProvider,
} from "./ai-generation";
import {
  createAnalyticsAggregationHandler,
  PUBLISHES as ANALYTICS_AGGREGATION,
  type RowSink,
} from "./analytics-aggregation";
import type { HandlerDeps } from "./deps";
import {
  createFeedFanoutHandler,
  PUBLISHES as FEED_FANOUT,
  type FeedFanoutArgs,
} from "./feed-fanout";
import { createFraudCheckHandler, PUBLISHES as FRAUD_CHECK, type FraudScorer } from "./fraud-check";
import { createMatchCreatedHandler, PUBLISHES as MATCH_CREATED } from "./match-created";
import {
  createMediaTranscodeHandler,
  PUBLISHES as MEDIA_TRANSCODE,
  type MediaProcessor,
} from "./media-transcode";
import {
  createNotificationBatchHandler,
  PUBLISHES as NOTIFICATION_BATCH,
  type PushProvider,
} from "./notification-batch";
import { createUserCreatedHandler, PUBLISHES as USER_CREATED } from "./user-created";

/**
 * The pipelines each pipeline's handler publishes derived events to, as its module declares
 * (`PUBLISHES`, which types the handler's publisher). A service's `publishes` in the service
 * table covers its pipeline handler's.
 */
export const HANDLER_PUBLISHES: { readonly [N in PipelineName]: readonly PipelineName[] } = {
  "user-created": USER_CREATED,
  "match-created": MATCH_CREATED,
  "feed-fanout": FEED_FANOUT,
  "ai-generation": AI_GENERATION,
  "notification-batch": NOTIFICATION_BATCH,
  "analytics-aggregation": ANALYTICS_AGGREGATION,
  "media-transcode": MEDIA_TRANSCODE,
  "fraud-check": FRAUD_CHECK,
};

/**
 * Every pipeline's handler, keyed by pipeline name. A service mounts the one for its pipeline
 * with `registerPushRoute(app, spec, { handler: handlers[spec.name], ... })`; the local platform
 * runs them with pull workers. Adding a pipeline means adding one entry here.
 */
export interface AllHandlerDeps extends HandlerDeps {
  readonly ai: AiProvider;
  readonly push: PushProvider;
  readonly rows: RowSink;
  readonly media: MediaProcessor;
  readonly fraud: FraudScorer;
  readonly feed?: FeedFanoutArgs;
  /** Notification coalescing window. @default 2000 */
  readonly notificationWindowMillis?: number;
}

export function createHandlers(deps: AllHandlerDeps): Readonly<Record<string, PipelineHandler>> {
  const handlers: PipelineHandler[] = [
    createUserCreatedHandler(deps),
    createMatchCreatedHandler(deps),
    createFeedFanoutHandler(deps, deps.feed),
    createAiGenerationHandler({ ...deps, provider: deps.ai }),
    createNotificationBatchHandler(deps, {
      push: deps.push,
      windowMillis: deps.notificationWindowMillis,
    }),
    createAnalyticsAggregationHandler(deps),
    createMediaTranscodeHandler({ ...deps, processor: deps.media }),
    createFraudCheckHandler({ ...deps, scorer: deps.fraud }),
  ] as unknown as PipelineHandler[];
  return Object.fromEntries(handlers.map((h) => [h.pipeline.name, h]));
}

export { createAiGenerationHandler } from "./ai-generation";
export type { AiProvider } from "./ai-generation";
export {
  createAnalyticsAggregationHandler,
  NdjsonRowSink,
  checkRow,
  hourlyRows,
} from "./analytics-aggregation";
export type { RowSink } from "./analytics-aggregation";
export type { HandlerDeps } from "./deps";
export { createFeedFanoutHandler, followersOf } from "./feed-fanout";
export { createFraudCheckHandler, localFraudScorer } from "./fraud-check";
export type { FraudScorer } from "./fraud-check";
export { createMatchCreatedHandler } from "./match-created";
export { createMediaTranscodeHandler, RecordedMediaProcessor } from "./media-transcode";
export type { MediaProcessor } from "./media-transcode";
export {
  createNotificationBatchHandler,
  FcmPushProvider,
  RecordedPushSink,
} from "./notification-batch";
export type { PushProvider } from "./notification-batch";
export { createUserCreatedHandler } from "./user-created";
