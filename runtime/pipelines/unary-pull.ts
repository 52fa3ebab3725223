import { v1, type PubSub } from "@google-cloud/pubsub";
import type { google } from "@google-cloud/pubsub/build/protos/protos";
import type { ConsumerCore } from "./consumer";
import type { IncomingMessage } from "./deadletter";
import { jsonLogger, type Logger } from "./log";

/**
 * A pull worker on unary `Pull` calls: it leases a batch, hands each message to the consumer
 * core, acks what the core acks and releases (ack deadline 0) what it nacks. Leases are never
 * extended, so a worker that dies holds its messages only until the subscription's ack deadline,
 * after which Pub/Sub redelivers them. The emulator does that for unary leases but not for a
 * killed streaming-pull subscriber's (see pull.ts), which makes this the worker to crash in
 * fault-injection runs. One round trip per batch: slower than streaming pull.
 */

export interface UnaryPullWorkerArgs {
  readonly pubsub: PubSub;
  /** Subscription id. */
  readonly subscription: string;
  readonly core: ConsumerCore;
  /** Messages leased per `Pull`. @default 100 */
  readonly batchSize?: number;
  /** Pause after an empty or failed `Pull`, in ms. @default 200 */
  readonly idleMillis?: number;
  readonly logger?: Logger;
}

export const UNARY_PULL_DEFAULTS = { batchSize: 100, idleMillis: 200 } as const;

type Received = google.pubsub.v1.IReceivedMessage;

/** A unary subscriber client with the PubSub client's own settings (emulator or API). */
export function subscriberClient(pubsub: PubSub): v1.SubscriberClient {
  const { port, ...options } = pubsub.options;
  return new v1.SubscriberClient({
    ...options,
    ...(port === undefined ? {} : { port: Number(port) }),
  });
}

/** The full resource name of subscription `id` in the client's project, as unary calls take it. */
export function subscriptionPath(pubsub: PubSub, id: string): string {
  return `projects/${pubsub.projectId}/subscriptions/${id}`;
}

/** A leased message as the consumer core and the dead-letter tools read it. */
export function incoming(r: Received): IncomingMessage {
  const m = r.message ?? {};
  const seconds = Number(m.publishTime?.seconds ?? 0);
  const nanos = m.publishTime?.nanos ?? 0;
  return {
    id: m.messageId ?? "",
    data: Buffer.from(m.data ?? new Uint8Array()),
    attributes: { ...(m.attributes ?? {}) },
    deliveryAttempt: r.deliveryAttempt || undefined,
    publishTime: m.publishTime
      ? new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString()
      : undefined,
  };
}

/** A running unary-pull worker. */
export class UnaryPullWorker {
  private readonly client: v1.SubscriberClient;
  private readonly path: string;
  private readonly logger: Logger;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly args: UnaryPullWorkerArgs) {
    this.logger = args.logger ?? jsonLogger;
    this.client = subscriberClient(args.pubsub);
    this.path = subscriptionPath(args.pubsub, args.subscription);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const idle = () =>
      new Promise((r) => setTimeout(r, this.args.idleMillis ?? UNARY_PULL_DEFAULTS.idleMillis));
    while (this.running) {
      let received: Received[];
      try {
        const [response] = await this.client.pull({
          subscription: this.path,
          maxMessages: this.args.batchSize ?? UNARY_PULL_DEFAULTS.batchSize,
        });
        received = response.receivedMessages ?? [];
      } catch (err) {
        if (!this.running) return;
        this.logger.error("pull failed", { subscription: this.path, error: String(err) });
        await idle();
        continue;
      }
      if (received.length === 0) {
        await idle();
        continue;
      }
      const outcomes = await Promise.all(received.map((r) => this.args.core.process(incoming(r))));
      const ids = (action: "ack" | "nack") =>
        received.filter((_, i) => outcomes[i].action === action).map((r) => r.ackId ?? "");
      const [acked, nacked] = [ids("ack"), ids("nack")];
      try {
        if (acked.length > 0) {
          await this.client.acknowledge({ subscription: this.path, ackIds: acked });
        }
        if (nacked.length > 0) {
          await this.client.modifyAckDeadline({
            subscription: this.path,
            ackIds: nacked,
            ackDeadlineSeconds: 0,
          });
        }
      } catch (err) {
        // Unacknowledged messages come back after the ack deadline; the markers absorb them.
        this.logger.error("ack failed", { subscription: this.path, error: String(err) });
      }
    }
  }

  /** Stops pulling, lets the batch in hand finish (up to the timeout) and closes the client. */
  async drain(timeoutMillis = 10_000): Promise<void> {
    this.running = false;
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, timeoutMillis).unref())]);
    await this.client.close();
  }
}

/** Starts a unary-pull worker on a subscription. */
export function startUnaryPullWorker(args: UnaryPullWorkerArgs): UnaryPullWorker {
  return new UnaryPullWorker(args);
}
