import type { PipelineSpec } from "../catalog/pipelines";
import type { RegionId } from "../topology";
import { systemClock, type Clock } from "./backoff";
import type { DeadLetterSink, IncomingMessage } from "./deadletter";
import { CONSUMER } from "./defaults";
import { decodeEnvelope, type DataOf, type Envelope } from "./envelope";
import { DrainingError, PoisonMessageError, errorMessage } from "./errors";
import type { EffectResult } from "./idempotency";
import { jsonLogger, type Logger } from "./log";
import { defaultMetrics, type PipelineMetrics } from "./metrics";

/**
 * The processing core shared by the push handler and the streaming-pull worker. For each
 * delivered message it:
 *  1. applies the local region rule (below);
 *  2. decodes and validates the envelope — a malformed or schema-invalid message is poison: it is
 *     published to the dead-letter topic with reason/error/pipeline/originalMessageId and acked,
 *     with no retries;
 *  3. runs the handler, whose effects are exactly-once per event id (see idempotency.ts);
 *  4. maps the result to ack, or to nack for anything transient, so Pub/Sub redelivers with the
 *     subscription's backoff and dead-letters after maxDeliveryAttempts.
 * Concurrency is bounded (`maxConcurrent`); concurrent deliveries of one message id in this
 * process share one run. `drain()` stops intake and waits for in-flight messages.
 *
 * Region routing: in the cloud each region's subscription filters on the `region` attribute.
 * The emulator ignores subscription filters, so every local region subscription receives every
 * message. With `regionFilter` set (local mode only), a message for another region is acked and
 * skipped here: that copy would never have been delivered to this subscription in the cloud, and
 * the other region's subscription holds its own copy.
 */

/** What a handler is told about the delivery. */
export interface HandlerContext {
  readonly messageId: string;
  readonly deliveryAttempt?: number;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A pipeline's handler: applies the event's effects once per event id. */
export interface PipelineHandler<P extends PipelineSpec = PipelineSpec> {
  readonly pipeline: P;
  /** Throw `PoisonMessageError` for an event that can never succeed; anything else is retried. */
  handle(event: Envelope<DataOf<P>>, context: HandlerContext): Promise<EffectResult>;
}

/** The core's decision about one message. */
export type Outcome =
  | { readonly action: "ack"; readonly result: EffectResult | "dead-lettered" | "other-region" }
  | { readonly action: "nack"; readonly error: string; readonly draining?: boolean };

export interface ConsumerCoreArgs<P extends PipelineSpec> {
  readonly handler: PipelineHandler<P>;
  readonly deadLetter: DeadLetterSink;
  /** Local mode only: ack and skip messages whose `region` differs (emulator ignores filters). */
  readonly regionFilter?: RegionId;
  /** @default CONSUMER.maxConcurrent */
  readonly maxConcurrent?: number;
  readonly metrics?: PipelineMetrics;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

/** The processing core of one pipeline's consumer. */
export class ConsumerCore<P extends PipelineSpec = PipelineSpec> {
  readonly pipeline: P;
  private readonly maxConcurrent: number;
  private readonly metrics: PipelineMetrics;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly running = new Map<string, Promise<Outcome>>();
  private readonly waiting: Array<() => void> = [];
  private active = 0;
  private draining = false;
  private idle: Array<() => void> = [];

  constructor(private readonly args: ConsumerCoreArgs<P>) {
    this.pipeline = args.handler.pipeline;
    this.maxConcurrent = args.maxConcurrent ?? CONSUMER.maxConcurrent;
    if (!Number.isInteger(this.maxConcurrent) || this.maxConcurrent < 1) {
      throw new Error(
        `maxConcurrent must be an integer >= 1, but ${args.maxConcurrent} was provided`,
      );
    }
    this.metrics = args.metrics ?? defaultMetrics;
    this.logger = args.logger ?? jsonLogger;
    this.clock = args.clock ?? systemClock;
  }

  /** Messages being processed or waiting for a slot. */
  get inFlight(): number {
    return this.running.size;
  }

  /** Whether `drain` was called. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Decides ack or nack for one delivery; never throws. */
  process(message: IncomingMessage): Promise<Outcome> {
    if (this.draining) {
      this.metrics.count(this.pipeline.name, "nacked");
      return Promise.resolve({
        action: "nack",
        error: new DrainingError(this.pipeline.name).message,
        draining: true,
      });
    }
    const shared = this.running.get(message.id);
    if (shared) return shared;
    const run = this.run(message).finally(() => {
      this.running.delete(message.id);
      if (this.running.size === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
    this.running.set(message.id, run);
    return run;
  }

  /**
   * Stops taking messages (new ones are nacked) and waits up to `timeoutMillis` for in-flight
   * ones. Returns how many were still running when the wait ended; their deliveries are not
   * acked, so Pub/Sub redelivers them.
   */
  async drain(timeoutMillis: number = CONSUMER.drainTimeoutMillis): Promise<number> {
    this.draining = true;
    if (this.running.size > 0) {
      await Promise.race([
        new Promise<void>((resolve) => this.idle.push(resolve)),
        this.clock.sleep(timeoutMillis),
      ]);
    }
    return this.running.size;
  }

  private async run(message: IncomingMessage): Promise<Outcome> {
    await this.acquire();
    try {
      return await this.decide(message);
    } finally {
      this.release();
    }
  }

  private async decide(message: IncomingMessage): Promise<Outcome> {
    const spec = this.pipeline;
    const region = message.attributes.region;
    if (this.args.regionFilter && region !== undefined && region !== this.args.regionFilter) {
      this.metrics.count(spec.name, "otherRegion");
      return { action: "ack", result: "other-region" };
    }
    const started = this.clock.now();
    try {
      const event = decodeEnvelope(spec, message.data);
      if (
        this.args.regionFilter &&
        region === undefined &&
        event.region !== this.args.regionFilter
      ) {
        this.metrics.count(spec.name, "otherRegion");
        return { action: "ack", result: "other-region" };
      }
      const result = await this.args.handler.handle(event, {
        messageId: message.id,
        deliveryAttempt: message.deliveryAttempt,
        attributes: message.attributes,
      });
      this.metrics.count(spec.name, result === "applied" ? "processed" : "duplicates");
      this.metrics.observe(spec.name, "handle", this.clock.now() - started);
      return { action: "ack", result };
    } catch (err) {
      if (err instanceof PoisonMessageError) return this.poison(message, err);
      this.metrics.count(spec.name, "nacked");
      this.logger.warn("message nacked for redelivery", {
        pipeline: spec.name,
        messageId: message.id,
        deliveryAttempt: message.deliveryAttempt,
        error: errorMessage(err),
      });
      return { action: "nack", error: errorMessage(err) };
    }
  }

  private async poison(message: IncomingMessage, err: PoisonMessageError): Promise<Outcome> {
    const spec = this.pipeline;
    try {
      await this.args.deadLetter.deadLetter(spec, message, err.reason, err.message);
    } catch (publishErr) {
      this.metrics.count(spec.name, "nacked");
      const error = `dead-lettering failed: ${errorMessage(publishErr)}`;
      this.logger.error("poison message could not be dead-lettered", {
        pipeline: spec.name,
        messageId: message.id,
        error,
      });
      return { action: "nack", error };
    }
    this.metrics.count(spec.name, "deadLettered");
    this.logger.warn("poison message dead-lettered", {
      pipeline: spec.name,
      messageId: message.id,
      reason: err.reason,
      error: err.message,
    });
    return { action: "ack", result: "dead-lettered" };
  }

  private acquire(): Promise<void> {
    if (this.active < this.maxConcurrent) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
