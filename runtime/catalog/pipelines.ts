import type { z } from "zod";
import {
  aiGenerationEvent,
  analyticsAggregationEvent,
  feedFanoutEvent,
  fraudCheckEvent,
  matchCreatedEvent,
  mediaTranscodeEvent,
  notificationBatchEvent,
  userCreatedEvent,
} from "../schemas/events";
import type { PipelineName, ServiceName } from "./names";

/**
 * The pipeline catalog: every Pub/Sub pipeline with its topic, dead-letter topic, delivery
 * settings, consumer and event schema. Declared once; the Pipeline component, the publisher,
 * the consumer core, the local platform and the policies all read it.
 */
export interface PipelineSpec<S extends z.ZodType = z.ZodType> {
  /** Short name, used in resource names and CLI arguments. */
  readonly name: PipelineName;
  /** Pub/Sub topic id. */
  readonly topic: string;
  /** Dead-letter topic id: always `<topic>-dlq`. */
  readonly deadLetterTopic: string;
  /** Event type carried in the envelope and the `type` attribute. */
  readonly eventType: string;
  /** Envelope schema version for `data`. */
  readonly schemaVersion: number;
  /** zod schema of the envelope's `data`. */
  readonly schema: S;
  /** Cloud Run service that consumes the topic in each region. */
  readonly consumer: ServiceName;
  /** Push subscription ack deadline, within `PUBSUB_LIMITS.ackDeadlineSeconds` (limits.ts). */
  readonly ackDeadlineSeconds: number;
  /** Exponential backoff bounds for redelivery, within `PUBSUB_LIMITS.backoffSeconds`. */
  readonly retry: {
    readonly minimumBackoffSeconds: number;
    readonly maximumBackoffSeconds: number;
  };
  /** Deliveries before the dead-letter topic, within `PUBSUB_LIMITS.maxDeliveryAttempts`. */
  readonly maxDeliveryAttempts: number;
  /** Unacked message retention, within `PUBSUB_LIMITS.messageRetentionSeconds`. */
  readonly messageRetentionSeconds: number;
  /** Envelope `data` field used as the ordering key, where per-user order matters. */
  readonly orderingKeyField?: string;
  /** BigQuery table that a BigQuery subscription on the topic writes to, if any. */
  readonly bigQueryTable?: string;
}

const DAY_SECONDS = 86_400;

function pipeline<const N extends PipelineName, S extends z.ZodType>(
  spec: Omit<PipelineSpec<S>, "name" | "topic" | "deadLetterTopic"> & {
    readonly name: N;
    readonly topic?: string;
  },
): PipelineSpec<S> & { readonly name: N } {
  const topic = spec.topic ?? `avalo-${spec.name}`;
  return { ...spec, topic, deadLetterTopic: `${topic}-dlq` };
}

const standardDelivery = {
  ackDeadlineSeconds: 60,
  retry: { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600 },
  maxDeliveryAttempts: 5,
  messageRetentionSeconds: 7 * DAY_SECONDS,
} as const;

export const PIPELINES = [
  pipeline({
    name: "user-created",
    eventType: "user.created",
    schemaVersion: 1,
    schema: userCreatedEvent,
    consumer: "user-worker",
    ...standardDelivery,
  }),
  pipeline({
    name: "match-created",
    eventType: "match.created",
    schemaVersion: 1,
    schema: matchCreatedEvent,
    consumer: "match-worker",
    ...standardDelivery,
  }),
  pipeline({
    name: "feed-fanout",
    eventType: "feed.fanout",
    schemaVersion: 1,
    schema: feedFanoutEvent,
    consumer: "feed-worker",
    ...standardDelivery,
    ackDeadlineSeconds: 120,
  }),
  pipeline({
    name: "ai-generation",
    eventType: "ai.generation",
    schemaVersion: 1,
    schema: aiGenerationEvent,
    consumer: "ai-inference",
    ...standardDelivery,
    ackDeadlineSeconds: 300,
  }),
  pipeline({
    name: "notification-batch",
    eventType: "notification.requested",
    schemaVersion: 1,
    schema: notificationBatchEvent,
    consumer: "notification-worker",
    ...standardDelivery,
    orderingKeyField: "userId",
  }),
  pipeline({
    name: "analytics-aggregation",
    eventType: "analytics.event",
    schemaVersion: 1,
    schema: analyticsAggregationEvent,
    consumer: "analytics-aggregator",
    ...standardDelivery,
    bigQueryTable: "analytics_events_raw",
  }),
  pipeline({
    name: "media-transcode",
    eventType: "media.transcode",
    schemaVersion: 1,
    schema: mediaTranscodeEvent,
    consumer: "media-processor",
    ...standardDelivery,
    ackDeadlineSeconds: 600,
  }),
  pipeline({
    name: "fraud-check",
    eventType: "fraud.check",
    schemaVersion: 1,
    schema: fraudCheckEvent,
    consumer: "fraud-analyzer",
    ...standardDelivery,
    maxDeliveryAttempts: 10,
  }),
] as const;

export type { PipelineName } from "./names";

/** The event (envelope `data`, before defaults) that pipeline `N` carries. */
export type PipelineEvent<N extends PipelineName> = z.input<
  Extract<(typeof PIPELINES)[number], { readonly name: N }>["schema"]
>;

/** The catalog entry for a pipeline name; throws with the allowed names for an unknown one. */
export function getPipeline(name: string): (typeof PIPELINES)[number] {
  const found = PIPELINES.find((p) => p.name === name);
  if (!found) {
    throw new Error(
      `unknown pipeline "${name}"; allowed: ${PIPELINES.map((p) => p.name).join(", ")}`,
    );
  }
  return found;
}
