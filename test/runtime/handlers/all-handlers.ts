import type { PipelineHandler } from "../../../runtime/pipelines/consumer";
import {
  createAiGenerationHandler,
  createAnalyticsAggregationHandler,
  createFeedFanoutHandler,
  createFraudCheckHandler,
  createMatchCreatedHandler,
  createMediaTranscodeHandler,
  createNotificationBatchHandler,
  createUserCreatedHandler,
  type AiProvider,
  type FraudScorer,
  type HandlerDeps,
  type MediaProcessor,
  type PushProvider,
  type RowSink,
} from "../../../runtime/handlers";
import type { FeedFanoutArgs } from "../../../runtime/handlers/feed-fanout";

/** What every pipeline's handler needs at once, for the test that runs them all together. */
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

/** Every pipeline's handler, keyed by pipeline name (each service mounts only its own). */
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
