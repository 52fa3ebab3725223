import { createHash } from "node:crypto";
import { FieldValue, Timestamp } from "firebase-admin/firestore";
import type Redis from "ioredis";
import type { PipelineHandler } from "../pipelines/consumer";
import { applyOnceFirestore, applyOnceRedis } from "../pipelines/idempotency";
import { pipelineSpec } from "../pipelines/spec";
import { notificationBatchEvent } from "../schemas/events";
import type { HandlerDeps } from "./deps";

/**
 * notification-batch: writes each notification to the user's inbox
 * (`inboxes/{userId}/items/{dedupeKey}`; identical notifications share one item) and coalesces
 * pushes per user within a window: the first notification opens the user's window, later ones
 * join it, and when the window is due one push carries all of them, de-duplicated. Windows live
 * in Redis (a due-time sorted set plus per-user pending sets), so any instance can flush them:
 * `flushDue()` runs after each message and on a timer (`startFlushLoop`), and on drain.
 * Delivery goes through `PushProvider`: FCM in production, `RecordedPushSink` locally.
 */

const spec = pipelineSpec("notification-batch", notificationBatchEvent);

export interface PendingNotification {
  readonly notificationId: string;
  readonly kind: string;
  readonly title: string;
  readonly body: string;
}

/** One coalesced push to one user. */
export interface PushBatch {
  readonly userId: string;
  readonly notifications: readonly PendingNotification[];
}

/** Push delivery; FCM in production, a recorded sink locally. */
export interface PushProvider {
  send(batch: PushBatch): Promise<void>;
}

/** LOCAL ONLY: records every push instead of sending it. */
export class RecordedPushSink implements PushProvider {
  readonly sent: PushBatch[] = [];
  async send(batch: PushBatch): Promise<void> {
    this.sent.push(batch);
  }
}

/** Production: FCM through firebase-admin, to the device tokens `tokensOf` returns. */
export class FcmPushProvider implements PushProvider {
  constructor(
    private readonly messaging: {
      sendEachForMulticast(m: {
        tokens: string[];
        notification: { title: string; body: string };
      }): Promise<unknown>;
    },
    private readonly tokensOf: (userId: string) => Promise<string[]>,
  ) {}

  async send(batch: PushBatch): Promise<void> {
    const tokens = await this.tokensOf(batch.userId);
    if (tokens.length === 0) return;
    const [first] = batch.notifications;
    const title =
      batch.notifications.length === 1
        ? first.title
        : `${batch.notifications.length} new notifications`;
    await this.messaging.sendEachForMulticast({
      tokens,
      notification: { title, body: first.body },
    });
  }
}

export interface NotificationBatchArgs {
  readonly push: PushProvider;
  /** Coalescing window per user. @default 2000 */
  readonly windowMillis?: number;
  /** Redis key prefix. @default "notify" */
  readonly keyPrefix?: string;
}

/** Same kind, title and body: the same notification for the user. */
export function dedupeKey(n: { kind: string; title: string; body: string }): string {
  return createHash("sha256").update(`${n.kind}\n${n.title}\n${n.body}`).digest("hex").slice(0, 24);
}

const TAKE_LUA = `
local items = redis.call('HGETALL', KEYS[2])
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return items
`;

/** The handler plus the flushing of due windows. */
export interface NotificationBatchHandler extends PipelineHandler<typeof spec> {
  /** Sends every window due at `now`; returns the pushes sent. */
  flushDue(now?: number): Promise<PushBatch[]>;
  /** Flushes due windows every `intervalMillis`; returns a stop function. */
  startFlushLoop(intervalMillis?: number): () => void;
}

export function createNotificationBatchHandler(
  deps: HandlerDeps,
  args: NotificationBatchArgs,
): NotificationBatchHandler {
  const { db, redis } = deps;
  const windowMillis = args.windowMillis ?? 2000;
  const prefix = args.keyPrefix ?? "notify";
  const now = deps.now ?? (() => new Date());
  const dueKey = `${prefix}:due`;
  const pendingKey = (userId: string) => `${prefix}:{${userId}}:pending`;

  async function take(r: Redis, userId: string): Promise<PendingNotification[]> {
    const flat = (await r.eval(TAKE_LUA, 2, dueKey, pendingKey(userId), userId)) as string[];
    const items: PendingNotification[] = [];
    for (let i = 1; i < flat.length; i += 2) items.push(JSON.parse(flat[i]) as PendingNotification);
    return items.sort((a, b) => a.notificationId.localeCompare(b.notificationId));
  }

  async function flushDue(at = now().getTime()): Promise<PushBatch[]> {
    const users = await redis.zrangebyscore(dueKey, 0, at);
    const sent: PushBatch[] = [];
    for (const userId of users) {
      const notifications = await take(redis, userId);
      if (notifications.length === 0) continue;
      const batch = { userId, notifications };
      try {
        await args.push.send(batch);
      } catch (err) {
        // Put them back so the next flush retries the push.
        const back = notifications.flatMap((n) => [dedupeKey(n), JSON.stringify(n)]);
        await redis
          .multi()
          .hset(pendingKey(userId), ...back)
          .zadd(dueKey, "NX", at, userId)
          .exec();
        throw err;
      }
      sent.push(batch);
    }
    return sent;
  }

  return {
    pipeline: spec,
    flushDue,
    startFlushLoop(intervalMillis = Math.max(100, Math.floor(windowMillis / 4))) {
      const timer = setInterval(() => void flushDue().catch(() => undefined), intervalMillis);
      timer.unref();
      return () => clearInterval(timer);
    },
    async handle(event) {
      const n = event.data;
      const key = dedupeKey(n);
      const at = now();
      const inbox = await applyOnceFirestore(
        db,
        { pipeline: spec.name, eventId: event.id },
        (batch) =>
          batch.set(
            db.collection("inboxes").doc(n.userId).collection("items").doc(key),
            {
              kind: n.kind,
              title: n.title,
              body: n.body,
              notificationIds: FieldValue.arrayUnion(n.notificationId),
              latestAt: Timestamp.fromDate(at),
              read: false,
            },
            { merge: true },
          ),
      );
      const pending: PendingNotification = {
        notificationId: n.notificationId,
        kind: n.kind,
        title: n.title,
        body: n.body,
      };
      await applyOnceRedis(
        redis,
        { pipeline: spec.name, eventId: event.id, part: "push" },
        [pendingKey(n.userId), dueKey],
        [
          { command: "HSETNX", key: 0, args: [key, JSON.stringify(pending)] },
          { command: "ZADD", key: 1, args: ["NX", at.getTime() + windowMillis, n.userId] },
        ],
      );
      await flushDue(at.getTime());
      return inbox;
    },
  };
}
