import { expect } from "chai";
import type { PubSub } from "@google-cloud/pubsub";
import { getPipeline } from "../../../runtime/catalog/pipelines";
import { EventValidationError, PublishError } from "../../../runtime/pipelines/errors";
import { silentLogger } from "../../../runtime/pipelines/log";
import { PipelineMetrics } from "../../../runtime/pipelines/metrics";
import { provisionPipelines } from "../../../runtime/pipelines/provision";
import { PipelinePublisher, type TopicLike } from "../../../runtime/pipelines/publisher";
import { emulatorPubSub, receive, uniquePrefix } from "./fixtures";

const userCreated = getPipeline("user-created");
const notifications = getPipeline("notification-batch");
const validUser = {
  userId: "u-1",
  displayName: "Ada",
  country: "DE",
  createdAt: "2026-01-02T03:04:05Z",
};
const instantClock = { now: () => Date.now(), sleep: async () => {} };

describe("pipelines/publisher", function () {
  this.timeout(30_000);
  let pubsub: PubSub;
  before(async () => {
    pubsub = await emulatorPubSub();
  });
  after(async () => pubsub.close());

  async function setup(
    label: string,
    args: Partial<ConstructorParameters<typeof PipelinePublisher>[0]> = {},
  ) {
    const prefix = uniquePrefix(label);
    const [names, notif] = await provisionPipelines(pubsub, {
      pipelines: [userCreated, notifications],
      prefix,
    });
    const metrics = new PipelineMetrics();
    const publisher = new PipelinePublisher({
      pubsub,
      region: "eu-west",
      topicName: (s) => `${prefix}${s.topic}`,
      metrics,
      logger: silentLogger,
      clock: instantClock,
      ...args,
    });
    return { names, notif, publisher, metrics };
  }

  it("uses the batching defaults of 100 messages, 10 ms and 1 MiB", async () => {
    const publisher = new PipelinePublisher({ pubsub, region: "eu-west" });
    expect(publisher.batchSettings).to.deep.equal({
      maxMessages: 100,
      maxMilliseconds: 10,
      maxBytes: 1048576,
    });
  });

  it("rejects a batching setting that would never flush", () => {
    expect(
      () => new PipelinePublisher({ pubsub, region: "eu-west", batching: { maxMessages: 0 } }),
    ).to.throw("batching.maxMessages must be a positive number, but 0 was provided");
  });

  it("publishes a versioned envelope with type, version, region and id attributes", async () => {
    const { names, publisher, metrics } = await setup("env");
    const { messageId, envelope } = await publisher.publish("user-created", validUser, {
      id: "evt-1",
      occurredAt: new Date("2026-01-02T03:04:06Z"),
    });
    const [msg] = await receive(pubsub, names.subscriptions.local, 1);
    expect(msg.id).to.equal(messageId);
    expect(JSON.parse(msg.data.toString())).to.deep.equal({
      id: "evt-1",
      type: "user.created",
      version: 1,
      occurredAt: "2026-01-02T03:04:06.000Z",
      region: "eu-west",
      data: validUser,
    });
    expect(envelope.id).to.equal("evt-1");
    expect(msg.attributes).to.deep.equal({
      type: "user.created",
      version: "1",
      region: "eu-west",
      id: "evt-1",
    });
    expect(metrics.snapshot()["user-created"].counters.published).to.equal(1);
  });

  it("throws naming the field for an invalid event and sends nothing", async () => {
    const { names, publisher } = await setup("invalid");
    let thrown: unknown;
    try {
      await publisher.publish("user-created", { ...validUser, country: "Germany" });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(EventValidationError);
    expect((thrown as Error).message).to.equal(
      'pipeline "user-created": event field "country" must be an ISO 3166-1 alpha-2 code; received "Germany"',
    );
    await publisher.publish("user-created", validUser, { id: "sentinel" });
    const got = await receive(pubsub, names.subscriptions.local, 1);
    expect(got.map((m) => m.attributes.id)).to.deep.equal(["sentinel"]);
  });

  it("rejects an unknown region with the allowed regions", async () => {
    const { publisher } = await setup("region");
    const err = await publisher
      .publish("user-created", validUser, { region: "mars" as never })
      .catch((e: Error) => e);
    expect((err as Error).message).to.equal(
      'pipeline "user-created": event field "envelope.region" must be one of us-east, us-west, eu-west, eu-central, asia-south, asia-east; received "mars"',
    );
  });

  it("sets the ordering key from the catalog's orderingKeyField", async () => {
    const { notif, publisher } = await setup("order");
    await publisher.publish("notification-batch", {
      notificationId: "n-1",
      userId: "u-42",
      kind: "like",
      title: "New like",
      body: "",
    });
    const [msg] = await receive(pubsub, notif.subscriptions.local, 1);
    expect(msg.orderingKey).to.equal("u-42");
  });

  it("retries a retryable error with backoff and then succeeds", async () => {
    const delays: number[] = [];
    let failures = 2;
    const { names, publisher, metrics } = await setup("retry", {
      backoff: (attempt) => attempt * 10,
      clock: { now: () => Date.now(), sleep: async (ms) => void delays.push(ms) },
      topicFor: (_spec, topic): TopicLike => ({
        publishMessage: (m) =>
          failures-- > 0
            ? Promise.reject(Object.assign(new Error("unavailable"), { code: 14 }))
            : topic.publishMessage(m),
        resumePublishing: (k) => topic.resumePublishing(k),
        flush: () => topic.flush(),
      }),
    });
    await publisher.publish("user-created", validUser, { id: "retried" });
    expect(delays).to.deep.equal([10, 20]);
    expect(metrics.snapshot()["user-created"].counters).to.include({
      published: 1,
      publishRetries: 2,
      publishFailed: 0,
    });
    const [msg] = await receive(pubsub, names.subscriptions.local, 1);
    expect(msg.attributes.id).to.equal("retried");
  });

  it("surfaces the error to the caller when retries are exhausted", async () => {
    const { publisher, metrics } = await setup("exhaust", {
      maxAttempts: 3,
      topicFor: (_s, topic): TopicLike => ({
        publishMessage: () =>
          Promise.reject(Object.assign(new Error("14 UNAVAILABLE: down"), { code: 14 })),
        resumePublishing: (k) => topic.resumePublishing(k),
        flush: () => topic.flush(),
      }),
    });
    let thrown: unknown;
    await publisher.publish("user-created", validUser, { id: "lost" }).catch((e) => (thrown = e));
    expect(thrown).to.be.instanceOf(PublishError);
    expect((thrown as Error).message).to.equal(
      'pipeline "user-created": publishing event lost failed after 3 attempt(s) (retries exhausted; raise retry.maxAttempts to keep trying): 14 UNAVAILABLE: down',
    );
    expect(metrics.snapshot()["user-created"].counters).to.include({
      publishFailed: 1,
      publishRetries: 2,
    });
  });

  it("does not retry a non-retryable error", async () => {
    let calls = 0;
    const { publisher } = await setup("fatal", {
      topicFor: (_s, topic): TopicLike => ({
        publishMessage: () => {
          calls++;
          return Promise.reject(Object.assign(new Error("3 INVALID_ARGUMENT"), { code: 3 }));
        },
        resumePublishing: (k) => topic.resumePublishing(k),
        flush: () => topic.flush(),
      }),
    });
    const err = await publisher
      .publish("user-created", validUser, { id: "bad" })
      .catch((e: Error) => e);
    expect((err as Error).message).to.equal(
      'pipeline "user-created": publishing event bad failed after 1 attempt(s) (not retryable): 3 INVALID_ARGUMENT',
    );
    expect(calls).to.equal(1);
  });
});
