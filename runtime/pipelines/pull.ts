import { Duration, type Message, type PubSub, type Subscription } from "@google-cloud/pubsub";
import type { ConsumerCore } from "./consumer";
import { CONSUMER } from "./defaults";
import { jsonLogger, type Logger } from "./log";

/**
 * The streaming-pull worker, for local runs and bulk backlogs: leases messages with flow
 * control, hands each to the consumer core, and acks or nacks by its outcome. `drain()` stops
 * leasing, lets in-flight messages finish (up to the drain timeout) and nacks the rest.
 *
 * Lease extensions are capped at the pipeline's ack deadline: the client otherwise extends
 * leases by its p99 processing time, up to 10 minutes, so a worker that is killed under a
 * backlog would strand every message it holds for that long before Pub/Sub redelivers them.
 */

export interface PullWorkerArgs {
  readonly pubsub: PubSub;
  /** Subscription id. */
  readonly subscription: string;
  readonly core: ConsumerCore;
  /** Leased messages ahead of processing. @default CONSUMER.maxOutstandingMessages */
  readonly maxOutstandingMessages?: number;
  /** @default CONSUMER.maxOutstandingBytes */
  readonly maxOutstandingBytes?: number;
  /** Longest lease extension, in seconds. @default the pipeline's ackDeadlineSeconds */
  readonly maxLeaseExtensionSeconds?: number;
  readonly logger?: Logger;
}

/** A running pull worker. */
export class PullWorker {
  private readonly subscription: Subscription;
  private readonly pending = new Set<Message>();
  private readonly logger: Logger;
  private stopped?: Promise<void>;

  constructor(private readonly args: PullWorkerArgs) {
    this.logger = args.logger ?? jsonLogger;
    this.subscription = args.pubsub.subscription(args.subscription, {
      flowControl: {
        maxMessages: args.maxOutstandingMessages ?? CONSUMER.maxOutstandingMessages,
        maxBytes: args.maxOutstandingBytes ?? CONSUMER.maxOutstandingBytes,
        allowExcessMessages: false,
      },
      closeOptions: { behavior: "NACK" },
      maxAckDeadline: Duration.from({
        seconds: args.maxLeaseExtensionSeconds ?? args.core.pipeline.ackDeadlineSeconds,
      }),
    });
    this.subscription.on("message", (m: Message) => void this.onMessage(m));
    this.subscription.on("error", (err: Error) =>
      this.logger.error("subscription error", {
        subscription: args.subscription,
        error: err.message,
      }),
    );
  }

  private async onMessage(m: Message): Promise<void> {
    this.pending.add(m);
    try {
      const outcome = await this.args.core.process({
        id: m.id,
        data: m.data,
        attributes: m.attributes,
        deliveryAttempt: m.deliveryAttempt || undefined,
        publishTime: m.publishTime.toISOString(),
      });
      if (outcome.action === "ack") m.ack();
      else m.nack();
    } finally {
      this.pending.delete(m);
    }
  }

  /** Stops leasing, waits for in-flight messages, nacks what is left, closes the stream. */
  drain(timeoutMillis: number = CONSUMER.drainTimeoutMillis): Promise<void> {
    this.stopped ??= (async () => {
      this.subscription.removeAllListeners("message");
      const left = await this.args.core.drain(timeoutMillis);
      for (const m of this.pending) m.nack();
      if (left > 0) {
        this.logger.warn("drain timed out; unfinished messages nacked", {
          subscription: this.args.subscription,
          nacked: left,
        });
      }
      await this.subscription.close();
    })();
    return this.stopped;
  }
}

/** Starts a pull worker on a subscription. */
export function startPullWorker(args: PullWorkerArgs): PullWorker {
  return new PullWorker(args);
}

/**
 * Drains every given consumer when the process gets SIGTERM (Cloud Run gives 10 s), then exits.
 * Returns a function that removes the handler.
 */
export function drainOnSigterm(
  drainables: ReadonlyArray<{ drain(timeoutMillis?: number): Promise<unknown> }>,
  options: { timeoutMillis?: number; exit?: (code: number) => void; logger?: Logger } = {},
): () => void {
  const logger = options.logger ?? jsonLogger;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const onSignal = () => {
    logger.info("SIGTERM: draining pipeline consumers", { consumers: drainables.length });
    void Promise.all(drainables.map((d) => d.drain(options.timeoutMillis)))
      .then(() => exit(0))
      .catch((err: unknown) => {
        logger.error("drain failed", { error: String(err) });
        exit(1);
      });
  };
  process.once("SIGTERM", onSignal);
  return () => process.off("SIGTERM", onSignal);
}
