import { expect } from "chai";
import type { PubSub } from "@google-cloud/pubsub";
import { FieldValue, type Firestore } from "firebase-admin/firestore";
import { getPipeline, type PipelineSpec } from "../../../runtime/catalog/pipelines";
import { getFirestore } from "../../../runtime/firestore/client";
import { ConsumerCore, type PipelineHandler } from "../../../runtime/pipelines/consumer";
import { PubSubDeadLetterSink } from "../../../runtime/pipelines/deadletter";
import { applyOnceFirestore } from "../../../runtime/pipelines/idempotency";
import { silentLogger } from "../../../runtime/pipelines/log";
import { provisionPipelines } from "../../../runtime/pipelines/provision";
import { PipelinePublisher } from "../../../runtime/pipelines/publisher";
import { startUnaryPullWorker, type UnaryPullWorker } from "../../../runtime/pipelines/unary-pull";
import { useFirestore } from "../../support/services";
import { emulatorPubSub, eventually, receive, uniquePrefix } from "./fixtures";

/** user-created with a 10 s ack deadline, so abandoned leases come back within the test. */
const spec: PipelineSpec = {
  ...getPipeline("user-created"),
  retry: { minimumBackoffSeconds: 0, maximumBackoffSeconds: 0 },
  ackDeadlineSeconds: 10,
};
const user = (i: number) => ({
  userId: `u-${i}`,
  displayName: "Ada",
  country: "DE",
  createdAt: "2026-01-02T03:04:05Z",
});

describe("pipelines/unary-pull worker", function () {
  this.timeout(90_000);
  let pubsub: PubSub;
  let db: Firestore;
  const workers: UnaryPullWorker[] = [];

  before(async () => {
    [pubsub] = await Promise.all([emulatorPubSub(), useFirestore()]);
    db = getFirestore();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.drain(2000)));
  });
  after(async () => pubsub.close());

  async function setup(label: string) {
    const prefix = uniquePrefix(label);
    const [names] = await provisionPipelines(pubsub, { pipelines: [spec], prefix });
    const publisher = new PipelinePublisher({
      pubsub,
      region: "eu-west",
      topicName: (s) => `${prefix}${s.topic}`,
      logger: silentLogger,
    });
    const collection = `${prefix}applied`;
    const applying: PipelineHandler = {
      pipeline: spec,
      handle: (event: { id: string }) =>
        applyOnceFirestore(db, { pipeline: collection, eventId: event.id }, (batch) =>
          batch.set(
            db.collection(collection).doc(event.id),
            { applied: FieldValue.increment(1) },
            { merge: true },
          ),
        ),
    };
    const core = (handler: PipelineHandler) =>
      new ConsumerCore({
        handler,
        deadLetter: new PubSubDeadLetterSink(pubsub, (s) => `${prefix}${s.deadLetterTopic}`),
        logger: silentLogger,
      });
    const worker = (handler: PipelineHandler) => {
      const w = startUnaryPullWorker({
        pubsub,
        subscription: names.subscriptions.local,
        core: core(handler),
        batchSize: 50,
        logger: silentLogger,
      });
      workers.push(w);
      return w;
    };
    const applied = async () => {
      const docs = (await db.collection(collection).get()).docs;
      return docs.map((d) => [d.id, d.get("applied") as number] as const);
    };
    return { names, publisher, applying, worker, applied };
  }

  it("applies each message once, and dead-letters a poison message with its reason", async () => {
    const { names, publisher, applying, worker, applied } = await setup("unary");
    const ids = await Promise.all(
      Array.from(
        { length: 30 },
        async (_, i) => (await publisher.publish(spec, user(i))).envelope.id,
      ),
    );
    await pubsub.topic(names.topic).publishMessage({ data: Buffer.from("not json") });
    worker(applying);
    const done = await eventually(async () => {
      const got = await applied();
      if (got.length < ids.length) throw new Error(`${got.length} applied`);
      return got;
    }, 30_000);
    expect(done.map(([id]) => id).sort()).to.deep.equal([...ids].sort());
    expect(done.every(([, n]) => n === 1)).to.equal(true);
    const [letter] = await receive(pubsub, names.holdSubscription, 1, 30_000);
    expect(letter.data.toString()).to.equal("not json");
    expect(letter.attributes.reason).to.equal("malformed");
  });

  it("gets back the batch a dead worker leased, after the ack deadline, and applies it once", async () => {
    const { publisher, applying, worker, applied } = await setup("crash");
    // The first worker leases a batch and never answers: to Pub/Sub, a unary lease of a dead
    // process and of one that stopped talking are the same thing.
    let leased = 0;
    const hanging = worker({
      pipeline: spec,
      handle: () => {
        leased++;
        return new Promise<never>(() => undefined);
      },
    });
    const ids = await Promise.all(
      Array.from(
        { length: 40 },
        async (_, i) => (await publisher.publish(spec, user(i))).envelope.id,
      ),
    );
    await eventually(async () => {
      if (leased === 0) throw new Error("nothing leased yet");
    }, 20_000);
    await hanging.drain(0);
    workers.splice(workers.indexOf(hanging), 1);
    worker(applying);
    const done = await eventually(async () => {
      const got = await applied();
      if (got.length < ids.length) throw new Error(`${got.length} of ${ids.length} applied`);
      return got;
    }, 60_000);
    expect(leased).to.be.greaterThan(0);
    expect(done.map(([id]) => id).sort()).to.deep.equal([...ids].sort());
    expect(done.every(([, n]) => n === 1)).to.equal(true);
  });
});
