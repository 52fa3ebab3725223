import type { PipelineName } from "../../runtime/catalog/pipelines";
import type { PoisonReason } from "../../runtime/pipelines/errors";

/**
 * The fault suite's event plan: what message number `i` of a run is, derived from the seed alone
 * so that the publisher processes (the first one is SIGKILLed, the second republishes what the
 * first did not confirm) and the ledger agree without sharing memory.
 */

/** Pipelines the suite drives; both count their effects exactly. */
export const FAULT_PIPELINES = ["analytics-aggregation", "notification-batch"] as const;
export type FaultPipeline = (typeof FAULT_PIPELINES)[number] & PipelineName;

/** Poison variants and the dead-letter reason each must carry. */
export const POISON_KINDS = ["malformed", "invalid-data", "wrong-type"] as const;
export type PoisonKind = (typeof POISON_KINDS)[number] & PoisonReason;

/** What one planned message is. */
export interface PlannedMessage {
  readonly index: number;
  readonly id: string;
  readonly pipeline: FaultPipeline;
  /** `valid`, or the poison variant (also the reason its dead letter must carry). */
  readonly kind: "valid" | PoisonKind;
}

/** Share of poison messages. */
export const POISON_SHARE = 0.1;
/** Share of valid events that go to notification-batch (the pipeline with a Redis marker). */
export const NOTIFICATION_SHARE = 0.1;
/** Distinct users the analytics events spread over (and so analytics shards). */
export const ANALYTICS_USERS = 1000;
/** Distinct notification recipients. */
export const NOTIFICATION_USERS = 2000;

/** A 32-bit hash of (seed, index, salt): splitmix-style mixing, deterministic everywhere. */
function mix(seed: number, index: number, salt: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** A float in [0, 1) from (seed, index, salt). */
export function unit(seed: number, index: number, salt: number): number {
  return mix(seed, index, salt) / 2 ** 32;
}

/** The run's message `index`. */
export function planMessage(seed: number, run: string, index: number): PlannedMessage {
  const poison = unit(seed, index, 1) < POISON_SHARE;
  const pipeline: FaultPipeline =
    unit(seed, index, 2) < NOTIFICATION_SHARE ? "notification-batch" : "analytics-aggregation";
  const kind = poison ? POISON_KINDS[mix(seed, index, 3) % POISON_KINDS.length] : "valid";
  return { index, id: `${run}-${index}`, pipeline, kind };
}

/** The event data of a valid planned message. */
export function eventData(
  message: PlannedMessage,
  run: string,
  at: string,
): Record<string, unknown> {
  if (message.pipeline === "analytics-aggregation") {
    return {
      eventName: analyticsEventName(run),
      userId: `u${message.index % ANALYTICS_USERS}`,
      at,
      value: 1,
    };
  }
  return {
    notificationId: message.id,
    userId: notificationUser(run, message.index),
    kind: "system",
    title: "Fault suite",
    body: `event ${message.id}`,
  };
}

/** The analytics event name of a run; its aggregate documents hold the run's counts. */
export function analyticsEventName(run: string): string {
  return `faults_${run.replace(/[^a-z0-9]/g, "_")}`;
}

/** The recipient of notification `index`. */
export function notificationUser(run: string, index: number): string {
  return `${run}-nu${index % NOTIFICATION_USERS}`;
}

/** The seed: FAULTS_SEED when set (an integer), else a random one. */
export function chooseSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FAULTS_SEED;
  if (raw === undefined || raw === "") return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`FAULTS_SEED must be an integer 0–4294967295, but "${raw}" was provided`);
  }
  return seed;
}
