import type { PubSub } from "@google-cloud/pubsub";
import {
  getPipeline,
  type PipelineEvent,
  type PipelineName,
  type PipelineSpec,
} from "../catalog/pipelines";
import type { RegionId } from "../topology";
import { exponentialBackoff, systemClock, type Backoff, type Clock } from "./backoff";
import { PUBLISH_BATCHING, PUBLISH_BATCHING_LIMITS, PUBLISH_RETRY } from "./defaults";
import {
  createEnvelope,
  encodeEnvelope,
  envelopeAttributes,
  type Envelope,
  type EventOf,
} from "./envelope";
import { PublishError } from "./errors";
import { jsonLogger, type Logger } from "./log";
import { defaultMetrics, type PipelineMetrics } from "./metrics";

/**
 * The pipeline publisher: `publish(pipeline, event)` validates the event against the catalog's
 * schema (nothing is sent when it is invalid), wraps it in the versioned envelope, mirrors
 * type/version/region/id into attributes, sets the ordering key where the catalog asks for one,
 * batches through the Pub/Sub client and retries retryable errors with capped, jittered
 * exponential backoff. When retries are exhausted the caller gets a `PublishError`.
 */

/** The slice of a Pub/Sub topic the publisher uses; tests wrap a real topic to inject faults. */
export interface TopicLike {
  publishMessage(message: {
    data: Buffer;
    attributes: Record<string, string>;
    orderingKey?: string;
  }): Promise<string>;
  /** Unpauses an ordering key after a failed publish. */
  resumePublishing(orderingKey: string): void;
  flush(): Promise<void>;
}

export interface PublisherArgs {
  /** Pub/Sub client (honours PUBSUB_EMULATOR_HOST). */
  readonly pubsub: PubSub;
  /** Region stamped on events when `publish` is not given one. */
  readonly region: RegionId;
  /** @default PUBLISH_BATCHING */
  readonly batching?: { maxMessages?: number; maxMilliseconds?: number; maxBytes?: number };
  /** Total attempts per event, the first included. @default PUBLISH_RETRY.maxAttempts */
  readonly maxAttempts?: number;
  /** @default exponentialBackoff() over PUBLISH_RETRY */
  readonly backoff?: Backoff;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Replaces the topic handle, e.g. to inject faults in tests. */
  readonly topicFor?: (spec: PipelineSpec, topic: TopicLike) => TopicLike;
  /** Topic id of a pipeline; tests use prefixed topics. @default spec.topic */
  readonly topicName?: (spec: PipelineSpec) => string;
  readonly metrics?: PipelineMetrics;
  readonly logger?: Logger;
}

/** Options of one `publish` call. */
export interface PublishOptions {
  /** @default the publisher's region */
  readonly region?: RegionId;
  /** Deterministic id for derived events, so downstream consumers de-duplicate. @default UUID */
  readonly id?: string;
  readonly occurredAt?: Date;
  /** Extra attributes (e.g. `replayOf`). */
  readonly attributes?: Record<string, string>;
}

export interface PublishResult {
  readonly messageId: string;
  readonly envelope: Envelope;
}

/**
 * A publisher to the pipelines `P` only, with each event typed by its pipeline's schema. Code
 * that publishes (a handler, a route) declares its pipelines in a `PUBLISHES` list and takes
 * `PublisherOf<(typeof PUBLISHES)[number]>`, so publishing anywhere else does not compile. A
 * `PipelinePublisher` is one for every `P`.
 */
export interface PublisherOf<P extends PipelineName> {
  publish<N extends P>(
    pipeline: N,
    event: PipelineEvent<N>,
    options?: PublishOptions,
  ): Promise<PublishResult>;
}

/** gRPC codes worth retrying: CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE. */
const RETRYABLE_CODES = new Set([1, 2, 4, 8, 10, 13, 14]);

/** Whether a publish error is worth retrying. */
export function isRetryablePublishError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" && RETRYABLE_CODES.has(code);
}

function clampBatching(b: PublisherArgs["batching"] = {}) {
  const merged = { ...PUBLISH_BATCHING, ...b };
  for (const [key, value] of Object.entries(merged)) {
    if (!(typeof value === "number" && value > 0)) {
      throw new Error(
        `batching.${key} must be a positive number, but ${String(value)} was provided`,
      );
    }
  }
  return {
    maxMessages: Math.min(merged.maxMessages, PUBLISH_BATCHING_LIMITS.maxMessages),
    maxMilliseconds: merged.maxMilliseconds,
    maxBytes: Math.min(merged.maxBytes, PUBLISH_BATCHING_LIMITS.maxBytes),
  };
}

/** One event's publish, carried from its first attempt into the retries. */
interface Attempt {
  readonly spec: PipelineSpec;
  readonly envelope: Envelope;
  readonly topic: TopicLike;
  readonly message: Parameters<TopicLike["publishMessage"]>[0];
  readonly orderingKey: string | undefined;
  readonly started: number;
}

/** Publishes pipeline events; one per process, shared by every caller. */
export class PipelinePublisher {
  private readonly topics = new Map<string, TopicLike>();
  private readonly batching: ReturnType<typeof clampBatching>;
  private readonly maxAttempts: number;
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly metrics: PipelineMetrics;
  private readonly logger: Logger;

  constructor(private readonly args: PublisherArgs) {
    this.batching = clampBatching(args.batching);
    this.maxAttempts = args.maxAttempts ?? PUBLISH_RETRY.maxAttempts;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new Error(`maxAttempts must be an integer >= 1, but ${args.maxAttempts} was provided`);
    }
    this.backoff = args.backoff ?? exponentialBackoff();
    this.clock = args.clock ?? systemClock;
    this.metrics = args.metrics ?? defaultMetrics;
    this.logger = args.logger ?? jsonLogger;
  }

  /** The effective batching settings. */
  get batchSettings(): Readonly<ReturnType<typeof clampBatching>> {
    return this.batching;
  }

  /**
   * Validates, wraps and publishes one event. Rejects with `EventValidationError` (nothing sent)
   * for an invalid event and with `PublishError` when publishing fails for good.
   */
  publish<P extends PipelineSpec>(
    pipeline: P | string,
    event: EventOf<P>,
    options: PublishOptions = {},
  ): Promise<PublishResult> {
    let envelope: Envelope;
    let spec: PipelineSpec;
    try {
      spec = typeof pipeline === "string" ? getPipeline(pipeline) : pipeline;
      envelope = createEnvelope(spec, event, {
        region: options.region ?? this.args.region,
        id: options.id,
        occurredAt: options.occurredAt,
      });
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.send(spec, envelope, options.attributes).then((messageId) => ({
      messageId,
      envelope,
    }));
  }

  /**
   * Publishes an already-built envelope (used by replay and continuation messages). The first
   * attempt is a plain promise chain; only a failure enters the retry loop.
   */
  send(
    spec: PipelineSpec,
    envelope: Envelope,
    extraAttributes: Record<string, string> = {},
  ): Promise<string> {
    const topic = this.topic(spec);
    const orderingKey = spec.orderingKeyField
      ? String((envelope.data as Record<string, unknown>)[spec.orderingKeyField] ?? "")
      : undefined;
    const message = {
      data: encodeEnvelope(envelope),
      attributes: { ...extraAttributes, ...envelopeAttributes(envelope) },
      ...(orderingKey ? { orderingKey } : {}),
    };
    const attempt = { spec, envelope, topic, message, orderingKey, started: this.clock.now() };
    return topic.publishMessage(message).then(
      (id) => this.published(attempt, id),
      (err: unknown) => this.retry(attempt, err),
    );
  }

  private published(attempt: Attempt, id: string): string {
    this.metrics.count(attempt.spec.name, "published");
    this.metrics.observe(attempt.spec.name, "publish", this.clock.now() - attempt.started);
    return id;
  }

  /** After failed attempt 1: backs off and retries retryable errors up to `maxAttempts`. */
  private async retry(attempt: Attempt, firstError: unknown): Promise<string> {
    const { spec, envelope, topic, message, orderingKey } = attempt;
    let err = firstError;
    for (let n = 1; ; n++) {
      if (orderingKey) topic.resumePublishing(orderingKey);
      const retryable = isRetryablePublishError(err);
      if (!retryable || n >= this.maxAttempts) {
        this.metrics.count(spec.name, "publishFailed");
        const error = new PublishError(spec.name, envelope.id, n, retryable, { cause: err });
        this.logger.error("publish failed", {
          pipeline: spec.name,
          eventId: envelope.id,
          error: error.message,
        });
        throw error;
      }
      this.metrics.count(spec.name, "publishRetries");
      await this.clock.sleep(this.backoff(n));
      try {
        return this.published(attempt, await topic.publishMessage(message));
      } catch (next) {
        err = next;
      }
    }
  }

  /** Sends every batched message now. */
  async flush(): Promise<void> {
    await Promise.all([...this.topics.values()].map((t) => t.flush()));
  }

  private topic(spec: PipelineSpec): TopicLike {
    const name = this.args.topicName?.(spec) ?? spec.topic;
    let topic = this.topics.get(name);
    if (!topic) {
      const real = this.args.pubsub.topic(name, {
        batching: this.batching,
        messageOrdering: spec.orderingKeyField !== undefined,
      });
      topic = this.args.topicFor ? this.args.topicFor(spec, real) : real;
      this.topics.set(name, topic);
    }
    return topic;
  }
}
