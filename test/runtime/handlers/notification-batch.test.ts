import { expect } from "chai";
import type { Firestore } from "firebase-admin/firestore";
import type Redis from "ioredis";
import { getFirestore } from "../../../runtime/firestore/client";
import {
  createNotificationBatchHandler,
  FcmPushProvider,
  type NotificationBatchHandler,
  type PushBatch,
  type PushProvider,
} from "../../../runtime/handlers/notification-batch";
import { createEnvelope } from "../../../runtime/pipelines/envelope";
import { connectRedis } from "../../../runtime/redis/connection";
import { useFirestore, useRedis } from "../../support/services";
import { uniquePrefix } from "../pipelines/fixtures";

const T0 = Date.parse("2026-05-06T07:00:00.000Z");

/** A push provider the test steers: each send either succeeds, fails or hangs. */
class ScriptedPush implements PushProvider {
  readonly attempts: PushBatch[] = [];
  readonly sent: PushBatch[] = [];
  next: "ok" | "fail" | "hang" = "ok";
  async send(batch: PushBatch): Promise<void> {
    this.attempts.push(batch);
    if (this.next === "fail") throw new Error("FCM unavailable");
    if (this.next === "hang") return new Promise(() => undefined);
    this.sent.push(batch);
  }
}

describe("notification-batch pushes (Firestore emulator, Redis)", function () {
  this.timeout(30_000);
  let db: Firestore;
  let redis: Redis;
  const clock = { now: T0 };

  before(async () => {
    const [, r] = await Promise.all([useFirestore(), useRedis()]);
    db = getFirestore();
    redis = connectRedis({ port: r.port });
  });
  after(() => redis.disconnect());

  function handlerFor(push: PushProvider, keyPrefix: string): NotificationBatchHandler {
    return createNotificationBatchHandler(
      {
        db,
        redis,
        publisher: {
          publish: () => Promise.reject(new Error("notification-batch publishes nothing")),
        },
        now: () => new Date(clock.now),
      },
      { push, windowMillis: 1000, claimLeaseMillis: 1000, keyPrefix },
    );
  }

  function setup(push: PushProvider): { handler: NotificationBatchHandler; user: string } {
    return { handler: handlerFor(push, uniquePrefix("notify")), user: uniquePrefix("user") };
  }

  async function notify(handler: NotificationBatchHandler, user: string, n: number) {
    const event = createEnvelope(
      handler.pipeline,
      {
        notificationId: `${user}-n${n}`,
        userId: user,
        kind: "message",
        title: `Message ${n}`,
        body: `Body ${n}`,
      },
      { id: `${user}-e${n}`, region: "eu-west" },
    );
    await handler.handle(event, { messageId: `m-${n}`, attributes: {} });
  }

  const ids = (b: PushBatch) => b.notifications.map((n) => n.notificationId);

  it("coalesces a window into one push and sends nothing twice once it is acknowledged", async () => {
    const push = new ScriptedPush();
    const { handler, user } = setup(push);
    clock.now = T0;
    await notify(handler, user, 1);
    await notify(handler, user, 2);
    expect(push.sent).to.deep.equal([]);
    await handler.flushDue(T0 + 1000);
    await handler.flushDue(T0 + 60_000);
    expect(push.sent.map(ids)).to.deep.equal([[`${user}-n1`, `${user}-n2`]]);
    expect(push.sent[0].batchId).to.match(/^[0-9a-f]{24}$/);
  });

  it("a failed push is sent again by the next flush, under the same batch id, with what arrived since", async () => {
    const push = new ScriptedPush();
    const { handler, user } = setup(push);
    clock.now = T0;
    await notify(handler, user, 1);
    push.next = "fail";
    let failure: unknown;
    await handler.flushDue(T0 + 1000).catch((err: unknown) => (failure = err));
    expect(String(failure)).to.include("FCM unavailable");
    expect(push.sent).to.deep.equal([]);
    push.next = "ok";
    clock.now = T0 + 1500;
    await notify(handler, user, 2);
    expect(push.sent.map(ids)).to.deep.equal([[`${user}-n1`, `${user}-n2`]]);
    expect(push.sent[0].batchId).to.equal(push.attempts[0].batchId);
    await handler.flushDue(T0 + 60_000);
    expect(push.sent).to.have.length(1);
  });

  it("a flush that dies mid-push loses nothing: after its lease another flush sends the window under the same batch id", async () => {
    const keyPrefix = uniquePrefix("notify");
    const user = uniquePrefix("user");
    const dead = new ScriptedPush();
    dead.next = "hang";
    const survivor = new ScriptedPush();
    const crashed = handlerFor(dead, keyPrefix);
    const other = handlerFor(survivor, keyPrefix);
    clock.now = T0;
    await notify(crashed, user, 1);
    void crashed.flushDue(T0 + 1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(dead.attempts.map(ids)).to.deep.equal([[`${user}-n1`]]);

    await other.flushDue(T0 + 5000);
    expect(survivor.attempts).to.deep.equal([]);
    await new Promise((r) => setTimeout(r, 1100));
    await other.flushDue(T0 + 5000);
    expect(survivor.sent.map(ids)).to.deep.equal([[`${user}-n1`]]);
    expect(survivor.sent[0].batchId).to.equal(dead.attempts[0].batchId);
    await other.flushDue(T0 + 60_000);
    expect(survivor.sent).to.have.length(1);
  });

  it("FCM pushes carry the batch id as their collapse key on Android, APNs and web", async () => {
    const calls: unknown[] = [];
    const fcm = new FcmPushProvider(
      {
        sendEachForMulticast: async (m) => {
          calls.push(m);
          return { successCount: 1 };
        },
      },
      async () => ["device-token"],
    );
    await fcm.send({
      batchId: "abc123",
      userId: "u1",
      notifications: [
        { notificationId: "n1", kind: "match", title: "New match", body: "Say hi" },
        { notificationId: "n2", kind: "like", title: "New like", body: "Someone liked you" },
      ],
    });
    expect(calls).to.deep.equal([
      {
        tokens: ["device-token"],
        notification: { title: "2 new notifications", body: "Say hi" },
        android: { collapseKey: "abc123" },
        apns: { headers: { "apns-collapse-id": "abc123" } },
        webpush: { headers: { Topic: "abc123" } },
      },
    ]);
  });
});
