import { expect } from "chai";
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PubSub } from "@google-cloud/pubsub";
import type { Firestore } from "firebase-admin/firestore";
import type Redis from "ioredis";
import {
  getPipeline,
  PIPELINES,
  type PipelineEvent,
  type PipelineName,
  type PipelineSpec,
} from "../../../runtime/catalog/pipelines";
import { ShardedCounter } from "../../../runtime/counters/sharded-counter";
import { getFirestore } from "../../../runtime/firestore/client";
import type { AiProvider } from "../../../runtime/handlers/ai-generation";
import { localProvider } from "../../../runtime/services/ai-inference/provider";
import { NdjsonRowSink } from "../../../runtime/handlers/analytics-aggregation";
import { followersOf } from "../../../runtime/handlers/feed-fanout";
import { localFraudScorer } from "../../../runtime/handlers/fraud-check";
import { HANDLER_PUBLISHES } from "../../../runtime/handlers/index";
import { createHandlers } from "./all-handlers";
import { RecordedMediaProcessor } from "../../../runtime/handlers/media-transcode";
import {
  RecordedPushSink,
  type NotificationBatchHandler,
} from "../../../runtime/handlers/notification-batch";
import { counterCollection } from "../../../runtime/counters/kinds";
import { ConsumerCore } from "../../../runtime/pipelines/consumer";
import { PubSubDeadLetterSink } from "../../../runtime/pipelines/deadletter";
import { listDeadLetters } from "../../../runtime/pipelines/dlq";
import {
  createEnvelope,
  encodeEnvelope,
  envelopeAttributes,
} from "../../../runtime/pipelines/envelope";
import { jsonLogger, silentLogger } from "../../../runtime/pipelines/log";
import { PipelineMetrics } from "../../../runtime/pipelines/metrics";
import { provisionPipelines, type ProvisionedPipeline } from "../../../runtime/pipelines/provision";
import {
  PipelinePublisher,
  type PublisherOf,
  type PublishOptions,
} from "../../../runtime/pipelines/publisher";
import { startPullWorker, type PullWorker } from "../../../runtime/pipelines/pull";
import { connectRedis } from "../../../runtime/redis/connection";
import {
  getChatShardId,
  getFeedShardId,
  getTransactionShardId,
  getUserShardId,
  initSharding,
  getAnalyticsShardId,
} from "../../../runtime/sharding";
import { useFirestore, useRedis } from "../../support/services";
import { emulatorPubSub, eventually, receive, uniquePrefix } from "../pipelines/fixtures";

const AT = "2026-03-04T05:06:07.000Z";

/** ai-inference's labelled local stand-in for a model, behind the handler's provider interface. */
const localAi: AiProvider = {
  name: localProvider.name,
  generate: (request) => localProvider.generate(request, new AbortController().signal),
};

describe("pipeline handlers on the emulators", function () {
  this.timeout(60_000);
  let pubsub: PubSub;
  let db: Firestore;
  let redis: Redis;
  let prefix: string;
  let names: Record<string, ProvisionedPipeline>;
  let publisher: PipelinePublisher;
  let rowsDir: string;
  const push = new RecordedPushSink();
  const media = new RecordedMediaProcessor();
  const workers: PullWorker[] = [];
  let handlers: ReturnType<typeof createHandlers>;
  let metrics: PipelineMetrics;
  const clock = { now: new Date(AT) };
  /** The pipeline whose handler is running, and what each handler published while running. */
  const handling = new AsyncLocalStorage<PipelineName>();
  const publishedBy = new Map<PipelineName, Set<PipelineName>>();
  /** The handlers' publisher: records, per running handler, the pipelines it publishes to. */
  const recordingPublisher: PublisherOf<PipelineName> = {
    publish<N extends PipelineName>(
      pipeline: N,
      event: PipelineEvent<N>,
      options?: PublishOptions,
    ) {
      const by = handling.getStore();
      if (by) publishedBy.set(by, (publishedBy.get(by) ?? new Set()).add(pipeline));
      return publisher.publish(pipeline, event, options);
    },
  };

  before(async () => {
    const [ps, , r] = await Promise.all([
      emulatorPubSub(),
      useFirestore(),
      useRedis(),
      initSharding(),
    ]);
    pubsub = ps;
    db = getFirestore();
    // The emulator's first write takes seconds (JVM warm-up); pay it here, not in a test.
    await db.collection("warmup").doc("first-write").set({ at: Date.now() });
    redis = connectRedis({ port: r.port });
    prefix = uniquePrefix("h");
    const provisioned = await provisionPipelines(pubsub, { prefix });
    names = Object.fromEntries(provisioned.map((p) => [p.spec.name, p]));
    publisher = new PipelinePublisher({
      pubsub,
      region: "eu-west",
      topicName: (s) => `${prefix}${s.topic}`,
      logger: silentLogger,
      metrics: new PipelineMetrics(),
    });
    rowsDir = mkdtempSync(join(tmpdir(), "avalo-rows-"));
    handlers = createHandlers({
      db,
      redis,
      publisher: recordingPublisher,
      now: () => clock.now,
      ai: localAi,
      push,
      rows: new NdjsonRowSink(rowsDir),
      media,
      fraud: localFraudScorer(redis),
      feed: { maxFollowersPerDelivery: 2 },
      notificationWindowMillis: 1000,
    });
  });
  beforeEach(() => {
    metrics = new PipelineMetrics();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.drain(1000)));
  });
  after(async () => {
    redis.disconnect();
    await pubsub.close();
    rmSync(rowsDir, { recursive: true, force: true });
  });

  /** Results per event id of the handlers run by `consume`. */
  const results = new Map<string, string[]>();

  /** Runs the pipeline's handler on a pull worker over the test's subscription. */
  function consume(spec: PipelineSpec): void {
    const inner = handlers[spec.name];
    const core = new ConsumerCore({
      handler: {
        pipeline: inner.pipeline,
        async handle(event, ctx) {
          const result = await handling.run(spec.name, () => inner.handle(event, ctx));
          results.set(event.id, [...(results.get(event.id) ?? []), result]);
          return result;
        },
      },
      deadLetter: new PubSubDeadLetterSink(pubsub, (s) => `${prefix}${s.deadLetterTopic}`),
      logger: process.env.H5_DEBUG ? jsonLogger : silentLogger,
      metrics,
    });
    workers.push(
      startPullWorker({
        pubsub,
        subscription: names[spec.name].subscriptions.local,
        core,
        logger: silentLogger,
      }),
    );
  }

  /** Publishes the event twice with one id (a duplicate delivery): applied once, then a duplicate. */
  async function deliverTwice(spec: PipelineSpec, data: unknown, id: string) {
    consume(spec);
    await publisher.publish(spec, data, { id });
    await publisher.publish(spec, data, { id });
    await eventually(async () => expect(results.get(id)?.length).to.equal(2), 30_000);
    expect([...(results.get(id) ?? [])].sort()).to.deep.equal(["applied", "duplicate"]);
  }

  async function doc(path: string) {
    return (await db.doc(path).get()).data();
  }

  const ids = (label: string) => `${prefix}${label}`;

  it("user-created: creates the user in its shard and geography once, with counters, and emits analytics", async () => {
    const userId = ids("u1");
    await deliverTwice(
      getPipeline("user-created"),
      { userId, displayName: "Ada", country: "DE", createdAt: AT },
      ids("e-user"),
    );
    const user = await doc(`${getUserShardId(userId)}/${userId}`);
    expect(user).to.include({ displayName: "Ada", country: "DE", geo: "eu", region: "eu-central" });
    const counter = new ShardedCounter(db, {
      collection: counterCollection("followers"),
      shards: 10,
    });
    const shards = await db
      .collection(counterCollection("followers"))
      .doc(encodeURIComponent(`followers:${userId}`))
      .collection("shards")
      .get();
    expect(shards.size).to.equal(10);
    expect(await counter.value(`followers:${userId}`)).to.equal(0);
    const analytics = await receive(pubsub, names["analytics-aggregation"].subscriptions.local, 2);
    expect(analytics.map((m) => m.attributes.id)).to.deep.equal([
      `${ids("e-user")}:analytics`,
      `${ids("e-user")}:analytics`,
    ]);
  });

  it("match-created: creates the chat in its chat shard, bumps both users' match counters once, notifies both", async () => {
    const [a, b] = [ids("ua"), ids("ub")];
    await deliverTwice(
      getPipeline("match-created"),
      { matchId: ids("m1"), userIds: [a, b], createdAt: AT },
      ids("e-match"),
    );
    const chat = await doc(`${getChatShardId([a, b], new Date(AT))}/${ids("m1")}`);
    expect(chat?.participants).to.deep.equal([a, b]);
    const matches = new ShardedCounter(db, { collection: counterCollection("matches") });
    expect(await matches.value(`matches:${a}`)).to.equal(1);
    expect(await matches.value(`matches:${b}`)).to.equal(1);
    const notes = await receive(pubsub, names["notification-batch"].subscriptions.local, 4);
    expect(new Set(notes.map((m) => m.attributes.id))).to.deep.equal(
      new Set([`${ids("e-match")}:notify:${a}`, `${ids("e-match")}:notify:${b}`]),
    );
  });

  it("feed-fanout: writes the post to every follower's feed shard, continuing past the per-delivery limit", async () => {
    const author = ids("author");
    const followers = ["f1", "f2", "f3"].map(ids);
    await Promise.all(followers.map((f) => followersOf(db, author).doc(f).set({ since: AT })));
    // Two followers per delivery, so the third is written by a continuation message.
    await deliverTwice(
      getPipeline("feed-fanout"),
      { postId: ids("p1"), authorId: author, createdAt: AT },
      ids("e-feed"),
    );
    const continuation = `${ids("e-feed")}:after:${followers[1]}`;
    await eventually(async () => expect(results.get(continuation)?.length).to.equal(2));
    expect([...(results.get(continuation) ?? [])].sort()).to.deep.equal(["applied", "duplicate"]);
    for (const f of followers) {
      const item = await doc(`${getFeedShardId(f, new Date(AT))}/${f}_${ids("p1")}`);
      expect(item).to.include({ ownerId: f, postId: ids("p1"), authorId: author, seen: false });
    }
  });

  it("ai-generation: stores the local provider's labelled reply once and notifies the user", async () => {
    await deliverTwice(
      getPipeline("ai-generation"),
      { requestId: ids("r1"), userId: ids("u"), companionId: "c1", prompt: "hello" },
      ids("e-ai"),
    );
    const stored = await doc(`ai_generations/${ids("r1")}`);
    expect(stored).to.include({ provider: "local", model: "local-echo-1", userId: ids("u") });
    expect(stored?.text).to.match(
      /^\[local deterministic provider: not a model\] c1: [^.]+\. You said: "hello" \(#[0-9a-f]{8}\)$/,
    );
  });

  it("notification-batch: writes the inbox once, de-duplicates, and coalesces pushes per user in a window", async () => {
    const userId = ids("nu");
    const base = {
      userId,
      kind: "like" as const,
      title: "New like",
      body: "Someone liked your post",
    };
    await deliverTwice(
      getPipeline("notification-batch"),
      { ...base, notificationId: ids("n1") },
      ids("e-n1"),
    );
    await publisher.publish(
      "notification-batch",
      { ...base, notificationId: ids("n2") },
      { id: ids("e-n2") },
    );
    await publisher.publish(
      "notification-batch",
      { ...base, title: "New follower", kind: "follow", notificationId: ids("n3") },
      { id: ids("e-n3") },
    );
    await eventually(async () => {
      expect(results.get(ids("e-n2"))).to.deep.equal(["applied"]);
      expect(results.get(ids("e-n3"))).to.deep.equal(["applied"]);
    });
    const items = await db.collection("inboxes").doc(userId).collection("items").get();
    expect(
      items.docs.map((d) => (d.get("notificationIds") as string[]).length).sort(),
    ).to.deep.equal([1, 2]);
    expect(push.sent.filter((s) => s.userId === userId)).to.deep.equal([]);
    const handler = handlers["notification-batch"] as NotificationBatchHandler;
    const sent = await handler.flushDue(new Date(AT).getTime() + 1000);
    const mine = sent.filter((b) => b.userId === userId);
    expect(mine).to.have.length(1);
    expect(mine[0].notifications.map((n) => n.notificationId)).to.deep.equal([
      ids("n1"),
      ids("n3"),
    ]);
  });

  it("analytics-aggregation: rolls the event into its hourly shard once and emits one schema-checked row", async () => {
    const userId = ids("au");
    await deliverTwice(
      getPipeline("analytics-aggregation"),
      { eventName: "profile_view", userId, at: AT, value: 2.5 },
      ids("e-an"),
    );
    const agg = await doc(`${getAnalyticsShardId(userId, new Date(AT))}/profile_view_eu-west`);
    expect(agg).to.include({ count: 1, sum: 2.5, eventName: "profile_view", region: "eu-west" });
    const rows = readFileSync(join(rowsDir, "analytics_events.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.filter((r) => r.event_id === ids("e-an"))).to.deep.equal([
      {
        event_id: ids("e-an"),
        event_name: "profile_view",
        user_id: userId,
        region: "eu-west",
        occurred_at: AT,
        value: 2.5,
      },
    ]);
  });

  it("media-transcode: records the job once and tracks it through the media processor", async () => {
    const mediaId = ids("media1");
    await deliverTwice(
      getPipeline("media-transcode"),
      { mediaId, ownerId: ids("o"), contentType: "image/jpeg", sourceUri: "gs://b/o.jpg" },
      ids("e-media"),
    );
    expect(await doc(`media_jobs/${mediaId}`)).to.include({
      status: "done",
      attempts: 1,
      eventId: ids("e-media"),
    });
    expect(media.jobs.filter((j) => j.mediaId === mediaId)).to.have.length(1);
  });

  it("fraud-check: records the decision on the transaction once", async () => {
    const userId = ids("fu");
    const tx = {
      transactionId: ids("tx1"),
      userId,
      amountMinor: 1200,
      currency: "EUR",
      deviceId: "d1",
      country: "DE",
    };
    await deliverTwice(getPipeline("fraud-check"), tx, ids("e-fraud"));
    const decision = await doc(`fraud_decisions/${ids("tx1")}`);
    expect(decision).to.include({
      decision: "allow",
      transactionId: ids("tx1"),
      eventId: ids("e-fraud"),
    });
    const onTx = await db
      .collection(getTransactionShardId(userId, new Date()))
      .doc(ids("tx1"))
      .get();
    expect(onTx.get("fraud.decision")).to.equal("allow");
    expect(onTx.get("userId")).to.equal(userId);
  });

  it("published, in the tests above, only to the pipelines each handler module declares", () => {
    const published = Object.fromEntries(
      [...publishedBy].map(([by, to]) => [by, [...to].sort()] as const),
    );
    expect(published).to.deep.equal({
      "user-created": ["analytics-aggregation"],
      "match-created": ["notification-batch"],
      "feed-fanout": ["feed-fanout"],
      "ai-generation": ["notification-batch"],
    });
    for (const [by, to] of publishedBy) {
      expect(HANDLER_PUBLISHES[by], by).to.include.members([...to]);
    }
  });

  for (const spec of PIPELINES) {
    it(`${spec.name}: a schema-invalid message ends in ${spec.topic}-dlq with reason invalid-data`, async () => {
      consume(spec);
      const envelope = {
        ...createEnvelope(
          getPipeline("user-created"),
          { userId: "u", displayName: "x", country: "DE", createdAt: AT },
          { region: "eu-west" },
        ),
        type: spec.eventType,
        data: { bogus: true },
      };
      const messageId = await pubsub.topic(names[spec.name].topic).publishMessage({
        data: encodeEnvelope(envelope),
        attributes: envelopeAttributes(envelope),
      });
      expect(names[spec.name].deadLetterTopic).to.equal(`${prefix}${spec.topic}-dlq`);
      await eventually(async () =>
        expect(metrics.snapshot()[spec.name]?.counters.deadLettered).to.equal(1),
      );
      const [letter] = await eventually(async () => {
        const got = await listDeadLetters(pubsub, spec, {
          holdSubscription: names[spec.name].holdSubscription,
          idleMillis: 300,
          waitMillis: 5000,
        });
        expect(got.map((l) => l.originalMessageId)).to.include(messageId);
        return got.filter((l) => l.originalMessageId === messageId);
      });
      expect(letter.reason).to.equal("invalid-data");
      expect(letter.attributes.pipeline).to.equal(spec.name);
      expect(letter.error).to.match(new RegExp(`^pipeline "${spec.name}": event field "`));
    });
  }
});
