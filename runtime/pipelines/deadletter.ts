import type { PubSub, Topic } from "@google-cloud/pubsub";
import type { PipelineSpec } from "../catalog/pipelines";
import type { PoisonReason } from "./errors";

/**
 * Publishes poison messages to a pipeline's dead-letter topic, keeping the original bytes and
 * attributes and adding `reason`, `error`, `pipeline` and `originalMessageId`.
 */

/** A message as delivered, from push or pull. */
export interface IncomingMessage {
  readonly id: string;
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
  /** Pub/Sub's delivery counter; absent on emulator push deliveries. */
  readonly deliveryAttempt?: number;
  readonly publishTime?: string;
}

/** Where the consumer core sends poison messages. */
export interface DeadLetterSink {
  deadLetter(
    spec: PipelineSpec,
    message: IncomingMessage,
    reason: PoisonReason,
    error: string,
  ): Promise<void>;
}

/** Attribute values are capped so a long error never makes the publish itself fail. */
const MAX_ERROR_CHARS = 1024;

/** The attributes a dead-lettered poison message carries. */
export function deadLetterAttributes(
  spec: PipelineSpec,
  message: IncomingMessage,
  reason: PoisonReason,
  error: string,
): Record<string, string> {
  return {
    ...message.attributes,
    reason,
    error: error.slice(0, MAX_ERROR_CHARS),
    pipeline: spec.name,
    originalMessageId: message.id,
  };
}

/** Publishes dead letters to `<topic>-dlq` (or the name `topicName` gives). */
export class PubSubDeadLetterSink implements DeadLetterSink {
  private readonly topics = new Map<string, Topic>();

  constructor(
    private readonly pubsub: PubSub,
    private readonly topicName: (spec: PipelineSpec) => string = (s) => s.deadLetterTopic,
  ) {}

  async deadLetter(
    spec: PipelineSpec,
    message: IncomingMessage,
    reason: PoisonReason,
    error: string,
  ): Promise<void> {
    const name = this.topicName(spec);
    let topic = this.topics.get(name);
    if (!topic) this.topics.set(name, (topic = this.pubsub.topic(name)));
    await topic.publishMessage({
      data: message.data,
      attributes: deadLetterAttributes(spec, message, reason, error),
    });
  }
}
