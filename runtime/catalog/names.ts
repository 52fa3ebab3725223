/**
 * The names of every Cloud Run service and every Pub/Sub pipeline, in table order. The service
 * table (services.ts) and the pipeline table (pipelines.ts) each refer to the other's names, so
 * the names sit here, below both, and neither table imports the other.
 */

/** Every service of the service table, in its order. */
export const SERVICE_NAMES = [
  "media-processor",
  "ai-inference",
  "pdf-generator",
  "fraud-analyzer",
  "batch-processor",
  "ranking-engine",
  "analytics-aggregator",
  "user-worker",
  "match-worker",
  "feed-worker",
  "notification-worker",
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Every pipeline of the pipeline table, in its order. */
export const PIPELINE_NAMES = [
  "user-created",
  "match-created",
  "feed-fanout",
  "ai-generation",
  "notification-batch",
  "analytics-aggregation",
  "media-transcode",
  "fraud-check",
] as const;
export type PipelineName = (typeof PIPELINE_NAMES)[number];
