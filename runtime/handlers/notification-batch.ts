import type { PipelineName } from "../catalog/names";
import { createHash, randomBytes } from "node:crypto";
import { FieldValue, Timestamp } from "firebase-admin/firestore";
import type { PipelineHandler } from "../pipelines/consumer";
import { applyOnceFirestore, applyOnceRedis } from "../pipelines/idempotency";
import { defineScript } from "../redis/script";
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
 *
 * A flush claims a user's window before pushing and releases it only after the push: the claim
 * moves the pending notifications into an in-flight set under a lease, and the acknowledgement
 * deletes them. If the flushing process or Redis dies in between, the lease runs out and the next
 * flush sends the in-flight set again under the same batch id, so a push is never lost; it may be
 * sent twice, and FCM's collapse key (the batch id) shows it once on the device.
 */

const spec = pipelineSpec("notification-batch", notificationBatchEvent);

/** The pipelines this handler publishes derived events to; its service's `publishes` lists them. */
export const PUBLISHES = [] as const satisfies readonly PipelineName[];

export interface PendingNotification {
  readonly notificationId: string;
  readonly kind: string;
  readonly title: string;
  readonly body: string;
}

/** One coalesced push to one user. */
export interface PushBatch {
  /** Stable across re-sends of the same batch; the push's collapse key. */
  readonly batchId: string;
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
        android: { collapseKey: string };
        apns: { headers: Record<string, string> };
        webpush: { headers: Record<string, string> };
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
      android: { collapseKey: batch.batchId },
      apns: { headers: { "apns-collapse-id": batch.batchId } },
      webpush: { headers: { Topic: batch.batchId } },
    });
  }
}

export interface NotificationBatchArgs {
  readonly push: PushProvider;
  /** Coalescing window per user. @default 2000 */
  readonly windowMillis?: number;
  /** Redis key prefix. @default "notify" */
  readonly keyPrefix?: string;
  /** How long a flush may hold a claimed window before another flush sends it again. @default 15000 */
  readonly claimLeaseMillis?: number;
}

/** Same kind, title and body: the same notification for the user. */
export function dedupeKey(n: { kind: string; title: string; body: string }): string {
  return createHash("sha256").update(`${n.kind}\n${n.title}\n${n.body}`).digest("hex").slice(0, 24);
}

/**
 * KEYS: due, pending, inflight, claim, batch. ARGV: userId, token, leaseMillis, retryAt.
 * Takes the claim (unless another flush holds it), moves pending into in-flight, keeps the user
 * due at `retryAt` until acknowledged, and returns [batchId, ...in-flight hash].
 */
const CLAIM_LUA = `
if not redis.call('SET', KEYS[4], ARGV[2], 'NX', 'PX', ARGV[3]) then return false end
local pending = redis.call('HGETALL', KEYS[2])
for i = 1, #pending, 2 do redis.call('HSETNX', KEYS[3], pending[i], pending[i + 1]) end
redis.call('DEL', KEYS[2])
local items = redis.call('HGETALL', KEYS[3])
if #items == 0 then
  redis.call('DEL', KEYS[4], KEYS[5])
  redis.call('ZREM', KEYS[1], ARGV[1])
  return false
end
redis.call('SET', KEYS[5], ARGV[2], 'NX')
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
table.insert(items, 1, redis.call('GET', KEYS[5]))
return items
`;

/**
 * KEYS: due, pending, inflight, claim, batch. ARGV: userId, token, nextDue.
 * Drops the sent in-flight set if the claim is still ours; a window that filled meanwhile stays
 * due at `nextDue`.
 */
const ACK_LUA = `
if redis.call('GET', KEYS[4]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
return 1
`;

/** KEYS: due, claim. ARGV: userId, token, retryAt. Gives a failed push back to the next flush. */
const RELEASE_LUA = `
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`;

/** The handler plus the flushing of due windows. */
export interface NotificationBatchHandler extends PipelineHandler<typeof spec> {
  /** Sends every window due at `now`; returns the pushes sent. */
  flushDue(now?: number): Promise<PushBatch[]>;
  /** Flushes due windows every `intervalMillis`; returns a stop function. */
  startFlushLoop(intervalMillis?: number): () => void;
}

export function createNotificationBatchHandler(
  deps: HandlerDeps<typeof PUBLISHES>,
  args: NotificationBatchArgs,
): NotificationBatchHandler {
  const { db, redis } = deps;
  const windowMillis = args.windowMillis ?? 2000;
  const prefix = args.keyPrefix ?? "notify";
  const now = deps.now ?? (() => new Date());
  const claimLeaseMillis = args.claimLeaseMillis ?? 15_000;
  const dueKey = `${prefix}:due`;
  const claimScript = defineScript(redis, "avaloNotifyClaim", CLAIM_LUA);
  const releaseScript = defineScript(redis, "avaloNotifyRelease", RELEASE_LUA);
  const ackScript = defineScript(redis, "avaloNotifyAck", ACK_LUA);
  const pendingKey = (userId: string) => `${prefix}:{${userId}}:pending`;
  const windowKeys = (userId: string) => [
    dueKey,
    pendingKey(userId),
    `${prefix}:{${userId}}:inflight`,
    `${prefix}:{${userId}}:claim`,
    `${prefix}:{${userId}}:batch`,
  ];

  async function claim(userId: string, token: string, at: number): Promise<PushBatch | undefined> {
    const reply = (await claimScript(
      5,
      ...windowKeys(userId),
      userId,
      token,
      claimLeaseMillis,
      at + claimLeaseMillis,
    )) as string[] | null;
    if (!reply) return undefined;
    const [batchId, ...flat] = reply;
    const notifications: PendingNotification[] = [];
    for (let i = 1; i < flat.length; i += 2) {
      notifications.push(JSON.parse(flat[i]) as PendingNotification);
    }
    notifications.sort((a, b) => a.notificationId.localeCompare(b.notificationId));
    return { batchId, userId, notifications };
  }

  async function flushDue(at = now().getTime()): Promise<PushBatch[]> {
    const users = await redis.zrangebyscore(dueKey, 0, at);
    const sent: PushBatch[] = [];
    for (const userId of users) {
      const token = randomBytes(12).toString("hex");
      const batch = await claim(userId, token, at);
      if (!batch) continue;
      try {
        await args.push.send(batch);
      } catch (err) {
        const [due, , , claimKey] = windowKeys(userId);
        await releaseScript(2, due, claimKey, userId, token, at);
        throw err;
      }
      await ackScript(5, ...windowKeys(userId), userId, token, at + windowMillis);
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
