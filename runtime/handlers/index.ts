import type { PipelineHandler } from "../pipelines/consumer";
import { createAiGenerationHandler, type AiProvider } from "./ai-generation";
import { createAnalyticsAggregationHandler, type RowSink } from "./analytics-aggregation";
import type { HandlerDeps } from "./deps";
import { createFeedFanoutHandler, type FeedFanoutArgs } from "./feed-fanout";
import { createFraudCheckHandler, type FraudScorer } from "./fraud-check";
import { createMatchCreatedHandler } from "./match-created";
import { createMediaTranscodeHandler, type MediaProcessor } from "./media-transcode";
import { createNotificationBatchHandler, type PushProvider } from "./notification-batch";
import { createUserCreatedHandler } from "./user-created";

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
