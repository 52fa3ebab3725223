import { expect } from "chai";
import type { PubSub } from "@google-cloud/pubsub";
import { getPipeline } from "../../../runtime/catalog/pipelines";
import { provisionPipelines } from "../../../runtime/pipelines/provision";
import { emulatorPubSub, uniquePrefix } from "./fixtures";

const fraud = getPipeline("fraud-check");

/** The consumer subscription's settings as the emulator stores them. */
async function settings(pubsub: PubSub, name: string) {
  const [metadata] = await pubsub.subscription(name).getMetadata();
  return {
    ackDeadlineSeconds: metadata.ackDeadlineSeconds,
    retryPolicy: {
      minimumBackoff: Number(metadata.retryPolicy?.minimumBackoff?.seconds),
      maximumBackoff: Number(metadata.retryPolicy?.maximumBackoff?.seconds),
    },
    maxDeliveryAttempts: metadata.deadLetterPolicy?.maxDeliveryAttempts,
  };
}

describe("pipelines/provision", function () {
  this.timeout(30_000);
  let pubsub: PubSub;
  before(async () => {
    pubsub = await emulatorPubSub();
  });
  after(async () => pubsub.close());

  it("creates the consumer subscription with the catalog's ack deadline, backoff and dead-letter policy", async () => {
    const [names] = await provisionPipelines(pubsub, {
      pipelines: [fraud],
      prefix: uniquePrefix("catalog"),
    });
    expect(await settings(pubsub, names.subscriptions.local)).to.deep.equal({
      ackDeadlineSeconds: fraud.ackDeadlineSeconds,
      retryPolicy: {
        minimumBackoff: fraud.retry.minimumBackoffSeconds,
        maximumBackoff: fraud.retry.maximumBackoffSeconds,
      },
      maxDeliveryAttempts: fraud.maxDeliveryAttempts,
    });
  });

  it("gives the dead-letter hold subscription the catalog's ack deadline, as the Pipeline component does", async () => {
    const feed = getPipeline("feed-fanout");
    const [names] = await provisionPipelines(pubsub, {
      pipelines: [feed],
      prefix: uniquePrefix("hold"),
    });
    const [metadata] = await pubsub.subscription(names.holdSubscription).getMetadata();
    expect(metadata.ackDeadlineSeconds).to.equal(feed.ackDeadlineSeconds);
    expect(feed.ackDeadlineSeconds).to.equal(120);
  });

  it("caps both backoff bounds when a local run asks for it, keeping the rest", async () => {
    const [names] = await provisionPipelines(pubsub, {
      pipelines: [fraud],
      prefix: uniquePrefix("capped"),
      maxBackoffSeconds: 10,
    });
    expect(await settings(pubsub, names.subscriptions.local)).to.deep.equal({
      ackDeadlineSeconds: fraud.ackDeadlineSeconds,
      retryPolicy: { minimumBackoff: 10, maximumBackoff: 10 },
      maxDeliveryAttempts: fraud.maxDeliveryAttempts,
    });
  });
});
