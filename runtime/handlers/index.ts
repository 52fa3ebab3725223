import type { PipelineName } from "../catalog/names";
import { PUBLISHES as AI_GENERATION } from "./ai-generation";
import { PUBLISHES as ANALYTICS_AGGREGATION } from "./analytics-aggregation";
import { PUBLISHES as FEED_FANOUT } from "./feed-fanout";
import { PUBLISHES as FRAUD_CHECK } from "./fraud-check";
import { PUBLISHES as MATCH_CREATED } from "./match-created";
import { PUBLISHES as MEDIA_TRANSCODE } from "./media-transcode";
import { PUBLISHES as NOTIFICATION_BATCH } from "./notification-batch";
import { PUBLISHES as USER_CREATED } from "./user-created";

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
