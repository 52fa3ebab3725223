import type { Message, PubSub } from "@google-cloud/pubsub";
import type { PipelineSpec } from "../catalog/pipelines";

/**
 * Dead-letter tooling behind `avalo dlq list|inspect|replay`: reads a pipeline's hold
 * subscription (`<topic>-dlq-hold`) and shows each message with its reason, and republishes
 * messages to the pipeline's topic after a fix, with a `replayOf` attribute.
 *
 * Two kinds of dead letters land there: poison messages published by the consumer core (with
 * `reason`, `error`, `pipeline` and `originalMessageId`) and messages Pub/Sub forwarded after
 * `maxDeliveryAttempts` (with `CloudPubSubDeadLetterSource*` attributes), shown with reason
 * `max-delivery-attempts`.
 */

/** One dead-lettered message. */
export interface DeadLetter {
  readonly messageId: string;
  readonly reason: string;
  readonly error?: string;
  readonly originalMessageId?: string;
  /** Deliveries before Pub/Sub gave up, for `max-delivery-attempts`. */
  readonly deliveryCount?: number;
  readonly publishTime: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The original message body as text. */
  readonly data: string;
}

export interface ReadArgs {
  /** @default `<deadLetterTopic>-hold` */
  readonly holdSubscription?: string;
  /** Stop after this many messages. @default 100 */
  readonly max?: number;
  /** Stop when no message arrived this long after the last one. @default 500 */
  readonly idleMillis?: number;
  /** Stop when the first message takes longer than this (an empty hold). @default 3000 */
  readonly waitMillis?: number;
}

/** Attributes the dead-lettering added; stripped again on replay. */
const DEAD_LETTER_ATTRIBUTES = ["reason", "error", "pipeline", "originalMessageId", "replayOf"];
const PUBSUB_SOURCE_PREFIX = "CloudPubSubDeadLetterSource";

/** The hold subscription of a pipeline. */
export function holdSubscriptionName(
  spec: PipelineSpec,
  deadLetterTopic = spec.deadLetterTopic,
): string {
  return `${deadLetterTopic}-hold`;
}

function toDeadLetter(m: Message): DeadLetter {
  const a = m.attributes;
  const count = a[`${PUBSUB_SOURCE_PREFIX}DeliveryCount`];
  return {
    messageId: m.id,
    reason: a.reason ?? (count !== undefined ? "max-delivery-attempts" : "unknown"),
    ...(a.error !== undefined ? { error: a.error } : {}),
    ...(a.originalMessageId !== undefined ? { originalMessageId: a.originalMessageId } : {}),
    ...(count !== undefined ? { deliveryCount: Number(count) } : {}),
    publishTime: m.publishTime.toISOString(),
    attributes: { ...a },
    data: m.data.toString("utf8"),
  };
}

/**
 * Streams the hold subscription and calls `decide` for each message; the message is acked
 * (removed) when it resolves true and nacked (kept) otherwise.
 */
async function scan(
  pubsub: PubSub,
  spec: PipelineSpec,
  args: ReadArgs,
  decide: (letter: DeadLetter) => Promise<boolean>,
): Promise<DeadLetter[]> {
  const max = args.max ?? 100;
  const idle = args.idleMillis ?? 500;
  const wait = args.waitMillis ?? 3000;
  const seen = new Map<string, DeadLetter>();
  const sub = pubsub.subscription(args.holdSubscription ?? holdSubscriptionName(spec), {
    flowControl: { maxMessages: max, allowExcessMessages: false },
    // Messages leased after the scan stopped listening go straight back, not after the deadline.
    closeOptions: { behavior: "NACK" },
  });
  const work: Promise<unknown>[] = [];
  const startedAt = Date.now();
  try {
    await new Promise<void>((resolve, reject) => {
      let timer = setTimeout(resolve, wait);
      sub.on("error", reject);
      sub.on("message", (m: Message) => {
        // Messages dead-lettered after the scan began (e.g. a replayed message that failed
        // again) are left for the next scan, so a replay can never loop.
        if (seen.has(m.id) || seen.size >= max || m.publishTime.getTime() > startedAt) {
          m.nack();
          return;
        }
        const letter = toDeadLetter(m);
        seen.set(m.id, letter);
        work.push(
          decide(letter).then(
            (remove) => (remove ? m.ack() : m.nack()),
            (err: unknown) => {
              m.nack();
              throw err;
            },
          ),
        );
        clearTimeout(timer);
        timer = seen.size >= max ? setTimeout(resolve, 0) : setTimeout(resolve, idle);
      });
    });
    await Promise.all(work);
  } finally {
    sub.removeAllListeners();
    await sub.close();
  }
  return [...seen.values()];
}

/** Lists dead letters without removing them. */
export function listDeadLetters(
  pubsub: PubSub,
  spec: PipelineSpec,
  args: ReadArgs = {},
): Promise<DeadLetter[]> {
  return scan(pubsub, spec, args, async () => false);
}

/** One dead letter by message id, or undefined; nothing is removed. */
export async function inspectDeadLetter(
  pubsub: PubSub,
  spec: PipelineSpec,
  messageId: string,
  args: ReadArgs = {},
): Promise<DeadLetter | undefined> {
  const all = await listDeadLetters(pubsub, spec, args);
  return all.find((l) => l.messageId === messageId);
}

export interface ReplayArgs extends ReadArgs {
  /** Topic to republish to. @default spec.topic */
  readonly topic?: string;
  /** Replay only these dead-letter message ids. @default all */
  readonly messageIds?: readonly string[];
}

export interface Replayed {
  readonly messageId: string;
  readonly replayOf: string;
  readonly newMessageId: string;
}

/**
 * Republishes dead letters to the pipeline's topic with their original body and attributes plus
 * `replayOf` (the original message id where known, else the dead letter's id), then removes
 * them from the hold subscription. The envelope id is unchanged, so effects stay exactly-once.
 */
export async function replayDeadLetters(
  pubsub: PubSub,
  spec: PipelineSpec,
  args: ReplayArgs = {},
): Promise<Replayed[]> {
  const topic = pubsub.topic(args.topic ?? spec.topic);
  const replayed: Replayed[] = [];
  const wanted = args.messageIds ? new Set(args.messageIds) : undefined;
  await scan(pubsub, spec, args, async (letter) => {
    if (wanted && !wanted.has(letter.messageId)) return false;
    const attributes = Object.fromEntries(
      Object.entries(letter.attributes).filter(
        ([k]) => !DEAD_LETTER_ATTRIBUTES.includes(k) && !k.startsWith(PUBSUB_SOURCE_PREFIX),
      ),
    );
    const replayOf = letter.originalMessageId ?? letter.messageId;
    const newMessageId = await topic.publishMessage({
      data: Buffer.from(letter.data, "utf8"),
      attributes: { ...attributes, replayOf },
    });
    replayed.push({ messageId: letter.messageId, replayOf, newMessageId });
    return true;
  });
  return replayed;
}
