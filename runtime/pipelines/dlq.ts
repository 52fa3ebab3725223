import type { PubSub } from "@google-cloud/pubsub";
import type { PipelineSpec } from "../catalog/pipelines";
import type { IncomingMessage } from "./deadletter";
import { incoming, subscriberClient, subscriptionPath } from "./unary-pull";

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

const DEADLINE_EXCEEDED = 4;

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

function toDeadLetter(m: IncomingMessage): DeadLetter {
  const a = m.attributes;
  const count = a[`${PUBSUB_SOURCE_PREFIX}DeliveryCount`];
  return {
    messageId: m.id,
    reason: a.reason ?? (count !== undefined ? "max-delivery-attempts" : "unknown"),
    ...(a.error !== undefined ? { error: a.error } : {}),
    ...(a.originalMessageId !== undefined ? { originalMessageId: a.originalMessageId } : {}),
    ...(count !== undefined ? { deliveryCount: Number(count) } : {}),
    publishTime: m.publishTime ?? "",
    attributes: { ...a },
    data: m.data.toString("utf8"),
  };
}

/** One `Pull`, given up at `until`: on the real API a `Pull` on an empty subscription waits. */
async function pullUntil(
  client: ReturnType<typeof subscriberClient>,
  subscription: string,
  maxMessages: number,
  until: number,
) {
  try {
    const [response] = await client.pull(
      { subscription, maxMessages },
      { timeout: Math.max(1, until - Date.now()), retry: null },
    );
    return response.receivedMessages ?? [];
  } catch (err) {
    if ((err as { code?: unknown }).code === DEADLINE_EXCEEDED) return [];
    throw err;
  }
}

/**
 * Leases the hold subscription's messages with unary `Pull` and calls `decide` for each; the
 * message is acknowledged (removed) when it resolves true and released (ack deadline 0) otherwise.
 * Kept messages stay leased until the scan ends, so each is seen once, and are released with
 * explicit calls before the scan returns, so the next command sees them at once.
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
  const client = subscriberClient(pubsub);
  const subscription = subscriptionPath(
    pubsub,
    args.holdSubscription ?? holdSubscriptionName(spec),
  );
  const seen = new Map<string, DeadLetter>();
  const keep: string[] = [];
  const startedAt = Date.now();
  let failure: unknown;
  try {
    let until = startedAt + wait;
    while (seen.size < max && Date.now() < until && failure === undefined) {
      const received = await pullUntil(client, subscription, max - seen.size, until);
      if (received.length === 0) {
        await new Promise((r) => setTimeout(r, Math.min(100, idle)));
        continue;
      }
      const remove: string[] = [];
      for (const r of received) {
        const message = incoming(r);
        const ackId = r.ackId ?? "";
        // Messages dead-lettered after the scan began (e.g. a replayed message that failed
        // again) are left for the next scan, so a replay can never loop.
        const late = Date.parse(message.publishTime ?? "") > startedAt;
        if (seen.has(message.id) || late || seen.size >= max || failure !== undefined) {
          keep.push(ackId);
          continue;
        }
        const letter = toDeadLetter(message);
        seen.set(message.id, letter);
        try {
          if (await decide(letter)) remove.push(ackId);
          else keep.push(ackId);
        } catch (err) {
          keep.push(ackId);
          failure = err;
        }
      }
      if (remove.length > 0) await client.acknowledge({ subscription, ackIds: remove });
      until = Date.now() + idle;
    }
  } finally {
    if (keep.length > 0) {
      await client
        .modifyAckDeadline({ subscription, ackIds: keep, ackDeadlineSeconds: 0 })
        .catch(() => undefined);
    }
    await client.close();
  }
  if (failure !== undefined) throw failure;
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
