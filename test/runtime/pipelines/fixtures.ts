import { PubSub, type Message } from "@google-cloud/pubsub";
import { randomBytes } from "node:crypto";
import { usePubSub } from "../../support/services";

/** Shared helpers of the pipeline tests: an emulator client, unique prefixes, message readers. */

export const PROJECT = "avalo-local";

/** A Pub/Sub client on the shared emulator. */
export async function emulatorPubSub(): Promise<PubSub> {
  await usePubSub();
  process.env.METADATA_SERVER_DETECTION = "none";
  return new PubSub({ projectId: PROJECT });
}

/** A prefix unique to one test, so topics and subscriptions never collide. */
export function uniquePrefix(label: string): string {
  return `t${randomBytes(3).toString("hex")}-${label}-`;
}

export interface Received {
  readonly id: string;
  readonly data: Buffer;
  readonly attributes: Record<string, string>;
  readonly orderingKey?: string;
  readonly deliveryAttempt: number;
}

/** Reads `count` messages from a pull subscription (acking them), or fails after `timeoutMs`. */
export async function receive(
  pubsub: PubSub,
  subscription: string,
  count: number,
  timeoutMs = 10_000,
): Promise<Received[]> {
  const sub = pubsub.subscription(subscription, {
    flowControl: { maxMessages: 1000 },
    closeOptions: { behavior: "NACK" },
  });
  const got: Received[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `got ${got.length} of ${count} messages from ${subscription} in ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      sub.on("error", reject);
      sub.on("message", (m: Message) => {
        m.ack();
        got.push({
          id: m.id,
          data: m.data,
          attributes: { ...m.attributes },
          orderingKey: m.orderingKey || undefined,
          deliveryAttempt: m.deliveryAttempt,
        });
        if (got.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    sub.removeAllListeners();
    await sub.close();
  }
  return got;
}

/** Resolves when `check` passes, polling every 50 ms; rejects after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
