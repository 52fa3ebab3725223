import { expect } from "chai";
import type { PubSub } from "@google-cloud/pubsub";
import { FieldValue, type Firestore } from "firebase-admin/firestore";
import Fastify from "fastify";
import { getPipeline, type PipelineSpec } from "../../../runtime/catalog/pipelines";
import { getFirestore } from "../../../runtime/firestore/client";
import { ConsumerCore, type PipelineHandler } from "../../../runtime/pipelines/consumer";
import { PubSubDeadLetterSink } from "../../../runtime/pipelines/deadletter";
import { listDeadLetters, replayDeadLetters } from "../../../runtime/pipelines/dlq";
import {
  encodeEnvelope,
  createEnvelope,
  envelopeAttributes,
} from "../../../runtime/pipelines/envelope";
import { TransientError } from "../../../runtime/pipelines/errors";
import { applyOnceFirestore } from "../../../runtime/pipelines/idempotency";
import { silentLogger } from "../../../runtime/pipelines/log";
import { PipelineMetrics } from "../../../runtime/pipelines/metrics";
import { provisionPipelines, type ProvisionedPipeline } from "../../../runtime/pipelines/provision";
import { createPushHandler, registerPushRoute } from "../../../runtime/pipelines/push";
import { PipelinePublisher } from "../../../runtime/pipelines/publisher";
import { drainOnSigterm, startPullWorker, type PullWorker } from "../../../runtime/pipelines/pull";
import { freePort } from "../../../runtime/local/processes";
import { useFirestore } from "../../support/services";
import { emulatorPubSub, eventually, uniquePrefix } from "./fixtures";

/** A test pipeline: the user-created entry with a short retry so dead-lettering is quick. */
const spec: PipelineSpec = {
  ...getPipeline("user-created"),
  maxDeliveryAttempts: 5,
  retry: { minimumBackoffSeconds: 0, maximumBackoffSeconds: 0 },
  ackDeadlineSeconds: 10,
};
const data = {
  userId: "u-1",
  displayName: "Ada",
  country: "DE",
  createdAt: "2026-01-02T03:04:05Z",
};

/** Counts applications per event id in Firestore, exactly once per id. */
function countingHandler(
  db: Firestore,
  collection: string,
  failures: (id: string) => boolean = () => false,
): PipelineHandler & { calls: number } {
  const handler = {
    pipeline: spec,
    calls: 0,
    async handle(event: { id: string }) {
      handler.calls++;
      if (failures(event.id)) throw new TransientError("dependency unavailable");
      return applyOnceFirestore(db, { pipeline: collection, eventId: event.id }, (batch) =>
        batch.set(
          db.collection(collection).doc(event.id),
          { applied: FieldValue.increment(1) },
          { merge: true },
        ),
      );
    },
  };
  return handler;
}

describe("pipelines/consumer core, push and pull", function () {
  this.timeout(60_000);
  let pubsub: PubSub;
  let db: Firestore;
  const workers: PullWorker[] = [];

  before(async () => {
    [pubsub] = await Promise.all([emulatorPubSub(), useFirestore()]);
    db = getFirestore();
    // The emulator's first write takes seconds (JVM warm-up); pay it here, not in a test.
    await db.collection("warmup").doc("first-write").set({ at: Date.now() });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.drain(1000)));
  });
  after(async () => pubsub.close());

  async function setup(label: string, push?: string) {
    const prefix = uniquePrefix(label);
    const [names] = await provisionPipelines(pubsub, {
      pipelines: [spec],
      prefix,
      pushEndpoints: push ? { [spec.name]: push } : undefined,
    });
    const publisher = new PipelinePublisher({
      pubsub,
      region: "eu-west",
      topicName: (s) => `${prefix}${s.topic}`,
      logger: silentLogger,
      metrics: new PipelineMetrics(),
    });
    const sink = new PubSubDeadLetterSink(pubsub, () => names.deadLetterTopic);
    return { prefix, names, publisher, sink, collection: `${prefix}effects` };
  }

  async function applied(collection: string, id: string): Promise<number | undefined> {
    return (await db.collection(collection).doc(id).get()).get("applied") as number | undefined;
  }

  function pull(names: ProvisionedPipeline, core: ConsumerCore) {
    const w = startPullWorker({
      pubsub,
      subscription: names.subscriptions.local,
      core,
      logger: silentLogger,
    });
    workers.push(w);
    return w;
  }

  it("applies a valid event once and a duplicate delivery of it once, through the pull worker", async () => {
    const { names, publisher, sink, collection } = await setup("once");
    const handler = countingHandler(db, collection);
    const metrics = new PipelineMetrics();
    const core = new ConsumerCore({ handler, deadLetter: sink, logger: silentLogger, metrics });
    pull(names, core);
    await publisher.publish(spec, data, { id: "evt-1" });
    await publisher.publish(spec, data, { id: "evt-1" });
    await eventually(async () =>
      expect(metrics.snapshot()["user-created"].counters).to.include({
        processed: 1,
        duplicates: 1,
      }),
    );
    expect(handler.calls).to.equal(2);
    expect(await applied(collection, "evt-1")).to.equal(1);
  });

  it("caps the pull worker's lease extensions at the pipeline's ack deadline", async () => {
    const { names, sink, collection } = await setup("lease");
    const core = new ConsumerCore({
      handler: countingHandler(db, collection),
      deadLetter: sink,
      logger: silentLogger,
    });
    const worker = pull(names, core) as unknown as {
      subscription: {
        _subscriber: { getMinMaxDeadlines(): [unknown, { totalOf(unit: "second"): number }] };
      };
    };
    const [, max] = worker.subscription._subscriber.getMinMaxDeadlines();
    expect(max.totalOf("second")).to.equal(spec.ackDeadlineSeconds);
  });

  it("applies one message delivered 20 times concurrently exactly once", async () => {
    const { sink, collection } = await setup("twenty");
    const handler = countingHandler(db, collection);
    const envelope = createEnvelope(spec, data, { region: "eu-west", id: "evt-20" });
    const message = {
      id: "m-20",
      data: encodeEnvelope(envelope),
      attributes: envelopeAttributes(envelope),
    };
    // Separate cores, as on separate instances: only the Firestore marker can stop duplicates.
    const cores = Array.from(
      { length: 20 },
      () =>
        new ConsumerCore({
          handler,
          deadLetter: sink,
          logger: silentLogger,
          metrics: new PipelineMetrics(),
        }),
    );
    const outcomes = await Promise.all(cores.map((c) => c.process(message)));
    expect(outcomes.filter((o) => o.action === "ack" && o.result === "applied")).to.have.length(1);
    expect(outcomes.filter((o) => o.action === "ack" && o.result === "duplicate")).to.have.length(
      19,
    );
    expect(await applied(collection, "evt-20")).to.equal(1);
  });

  it("dead-letters a poison message with reason, error, pipeline and originalMessageId and acks it", async () => {
    const { names, sink, collection } = await setup("poison");
    const handler = countingHandler(db, collection);
    pull(names, new ConsumerCore({ handler, deadLetter: sink, logger: silentLogger }));
    const messageId = await pubsub
      .topic(names.topic)
      .publishMessage({ data: Buffer.from("{not json"), attributes: { id: "x" } });
    const [letter] = await eventually(async () => {
      const got = await listDeadLetters(pubsub, spec, {
        holdSubscription: names.holdSubscription,
        idleMillis: 300,
      });
      expect(got).to.have.length(1);
      return got;
    });
    expect(letter.reason).to.equal("malformed");
    expect(letter.originalMessageId).to.equal(messageId);
    expect(letter.attributes.pipeline).to.equal("user-created");
    expect(letter.error).to.match(/^message data is not JSON: /);
    expect(letter.data).to.equal("{not json");
    expect(handler.calls).to.equal(0);

    // The listing nacked the letter; on a loaded emulator its redelivery can take seconds.
    const replayed = await replayDeadLetters(pubsub, spec, {
      holdSubscription: names.holdSubscription,
      topic: names.topic,
      idleMillis: 1500,
      waitMillis: 15_000,
    });
    expect(replayed.map((r) => r.replayOf)).to.deep.equal([messageId]);
  });

  it("succeeds on a later delivery after failing transiently 3 times", async () => {
    const { names, publisher, sink, collection } = await setup("transient");
    let failures = 3;
    const attempts: Array<number | undefined> = [];
    const handler = countingHandler(db, collection, () => failures-- > 0);
    const inner = handler.handle.bind(handler);
    handler.handle = async (event, ctx) => {
      attempts.push(ctx.deliveryAttempt);
      return inner(event, ctx);
    };
    pull(names, new ConsumerCore({ handler, deadLetter: sink, logger: silentLogger }));
    await publisher.publish(spec, data, { id: "evt-t" });
    await eventually(async () => expect(await applied(collection, "evt-t")).to.equal(1), 20_000);
    expect(attempts).to.deep.equal([1, 2, 3, 4]);
  });

  it("is dead-lettered by Pub/Sub after maxDeliveryAttempts when the handler always fails", async () => {
    const { names, publisher, sink, collection } = await setup("always");
    const handler = countingHandler(db, collection, () => true);
    pull(names, new ConsumerCore({ handler, deadLetter: sink, logger: silentLogger }));
    await publisher.publish(spec, data, { id: "evt-a" });
    const [letter] = await eventually(async () => {
      const got = await listDeadLetters(pubsub, spec, {
        holdSubscription: names.holdSubscription,
        idleMillis: 300,
      });
      expect(got).to.have.length(1);
      return got;
    }, 30_000);
    expect(letter.reason).to.equal("max-delivery-attempts");
    expect(letter.deliveryCount).to.equal(5);
    expect(JSON.parse(letter.data).id).to.equal("evt-a");
    expect(handler.calls).to.equal(5);
  });

  it("acks and skips a message for another region when the local region rule is on", async () => {
    const { sink, collection } = await setup("region");
    const handler = countingHandler(db, collection);
    const core = new ConsumerCore({
      handler,
      deadLetter: sink,
      logger: silentLogger,
      regionFilter: "eu-west",
    });
    const envelope = createEnvelope(spec, data, { region: "us-east", id: "evt-us" });
    const outcome = await core.process({
      id: "m-us",
      data: encodeEnvelope(envelope),
      attributes: envelopeAttributes(envelope),
    });
    expect(outcome).to.deep.equal({ action: "ack", result: "other-region" });
    expect(handler.calls).to.equal(0);
  });

  it("drains: in-flight messages finish and new ones are nacked", async () => {
    const { sink } = await setup("drain");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const core = new ConsumerCore({
      handler: { pipeline: spec, handle: async () => (await gate, "applied") },
      deadLetter: sink,
      logger: silentLogger,
    });
    const envelope = createEnvelope(spec, data, { region: "eu-west" });
    const msg = (id: string) => ({
      id,
      data: encodeEnvelope(envelope),
      attributes: envelopeAttributes(envelope),
    });
    const first = core.process(msg("m-1"));
    const draining = core.drain(5000);
    expect(await core.process(msg("m-2"))).to.deep.equal({
      action: "nack",
      error: 'pipeline "user-created": consumer is draining; message left for redelivery',
      draining: true,
    });
    release();
    expect(await first).to.deep.equal({ action: "ack", result: "applied" });
    expect(await draining).to.equal(0);
  });

  it("drains every consumer on SIGTERM and then exits 0", async () => {
    const { sink } = await setup("sigterm");
    const core = new ConsumerCore({
      handler: { pipeline: spec, handle: async () => "applied" },
      deadLetter: sink,
      logger: silentLogger,
    });
    const exited = new Promise<number>((resolve) => {
      const remove = drainOnSigterm([core], { exit: resolve, logger: silentLogger });
      process.emit("SIGTERM");
      remove();
    });
    expect(await exited).to.equal(0);
    expect(core.isDraining).to.equal(true);
  });

  it("bounds concurrency to maxConcurrent", async () => {
    const { sink } = await setup("bound");
    let active = 0;
    let peak = 0;
    const core = new ConsumerCore({
      handler: {
        pipeline: spec,
        handle: async () => {
          peak = Math.max(peak, ++active);
          await new Promise((r) => setTimeout(r, 20));
          active--;
          return "applied";
        },
      },
      deadLetter: sink,
      logger: silentLogger,
      maxConcurrent: 3,
    });
    const envelope = createEnvelope(spec, data, { region: "eu-west" });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        core.process({ id: `m-${i}`, data: encodeEnvelope(envelope), attributes: {} }),
      ),
    );
    expect(peak).to.equal(3);
  });

  it("rejects a push request without a valid token in production mode", async () => {
    const { sink, collection } = await setup("oidc");
    const handler = countingHandler(db, collection);
    const core = new ConsumerCore({ handler, deadLetter: sink, logger: silentLogger });
    const handle = createPushHandler({
      core,
      auth: {
        mode: "oidc",
        audience: "https://user-worker.example",
        serviceAccountEmail: "push@avalo-eu.iam.gserviceaccount.com",
      },
      logger: silentLogger,
    });
    const envelope = createEnvelope(spec, data, { region: "eu-west" });
    const body = {
      message: {
        data: encodeEnvelope(envelope).toString("base64"),
        attributes: {},
        messageId: "m-1",
      },
    };
    expect(await handle(body, {})).to.deep.equal({
      status: 401,
      body: { error: "missing bearer token" },
    });
    const forged = await handle(body, { authorization: "Bearer not.a.jwt" });
    expect(forged.status).to.equal(401);
    expect(String(forged.body.error)).to.match(/^invalid token: /);
    const wrongAccount = createPushHandler({
      core,
      auth: {
        mode: "oidc",
        audience: "https://user-worker.example",
        serviceAccountEmail: "push@avalo-eu.iam.gserviceaccount.com",
        client: {
          verifyIdToken: async () =>
            ({
              getPayload: () => ({
                email: "other@x.iam.gserviceaccount.com",
                email_verified: true,
              }),
            }) as never,
        },
      },
      logger: silentLogger,
    });
    expect(await wrongAccount(body, { authorization: "Bearer t" })).to.deep.equal({
      status: 403,
      body: {
        error: 'token email "other@x.iam.gserviceaccount.com" is not the push service account',
      },
    });
    expect(handler.calls).to.equal(0);
  });

  it("takes emulator push deliveries on POST /pubsub/push in explicit local mode", async () => {
    const port = await freePort();
    const { publisher, collection, names } = await setup(
      "push",
      `http://127.0.0.1:${port}/pubsub/push`,
    );
    const app = Fastify();
    const handler = countingHandler(db, collection);
    const core = registerPushRoute(app, spec, {
      handler,
      deadLetter: new PubSubDeadLetterSink(pubsub, () => names.deadLetterTopic),
      auth: { mode: "local" },
      regionFilter: "eu-west",
      logger: silentLogger,
    });
    await app.listen({ port, host: "127.0.0.1" });
    try {
      await publisher.publish(spec, data, { id: "evt-p" });
      await publisher.publish(spec, data, { id: "evt-p" });
      await eventually(async () => {
        expect(handler.calls).to.equal(2);
        expect(core.inFlight).to.equal(0);
      });
      expect(await applied(collection, "evt-p")).to.equal(1);
    } finally {
      await app.close();
    }
  });
});
