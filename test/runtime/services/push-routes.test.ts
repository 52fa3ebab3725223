import { mkdtemp, readdir, readFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PubSub } from "@google-cloud/pubsub";
import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import sharp from "sharp";
import { getPipeline } from "../../../runtime/catalog/pipelines";
import { getFirestore } from "../../../runtime/firestore/client";
import { dedupeKey, RecordedPushSink } from "../../../runtime/handlers/notification-batch";
import {
  createEnvelope,
  encodeEnvelope,
  envelopeAttributes,
} from "../../../runtime/pipelines/envelope";
import { buildAiInference } from "../../../runtime/services/ai-inference/app";
import { LOCAL_LABEL } from "../../../runtime/services/ai-inference/provider";
import { buildAnalyticsAggregator } from "../../../runtime/services/analytics-aggregator/app";
import { buildFraudAnalyzer } from "../../../runtime/services/fraud-analyzer/app";
import { buildMediaProcessor } from "../../../runtime/services/media-processor/app";
import { buildNotificationWorker } from "../../../runtime/services/notification-worker/app";
import { useFirestore, usePubSub, useRedis } from "../../support/services";
import { localEnv, productionEnv, uniqueId } from "./env";

const INVOKER = { AVALO_PUSH_INVOKER_EMAIL: "invoker@avalo-us.iam.gserviceaccount.com" };

/** A Pub/Sub push wrapper carrying one event of `pipelineName`. */
function pushBody(pipelineName: string, data: unknown, id: string) {
  const spec = getPipeline(pipelineName);
  const envelope = createEnvelope(spec, data as never, { region: "us-east", id });
  return {
    message: {
      data: encodeEnvelope(envelope).toString("base64"),
      attributes: envelopeAttributes(envelope),
      messageId: `m-${id}`,
    },
    subscription: "projects/avalo-local/subscriptions/test",
  };
}

async function push(app: FastifyInstance, pipelineName: string, data: unknown, id: string) {
  const response = await app.inject({
    method: "POST",
    url: "/pubsub/push",
    payload: pushBody(pipelineName, data, id),
  });
  return [response.statusCode, response.json()] as const;
}

describe("push routes of the pipeline consumers with routes of their own", function () {
  this.timeout(60_000);
  let redisEnv: Record<string, string>;
  let mediaDir: string;
  let ndjsonDir: string;

  before(async () => {
    const [redis] = await Promise.all([useRedis(), useFirestore(), usePubSub()]);
    redisEnv = { REDIS_HOST: redis.host, REDIS_PORT: String(redis.port) };
    mediaDir = await mkdtemp(join(tmpdir(), "avalo-push-media-"));
    ndjsonDir = await mkdtemp(join(tmpdir(), "avalo-push-ndjson-"));
    // Derived events (notifications, analytics) need their topics in the emulator.
    const pubsub = new PubSub({ projectId: "avalo-local" });
    for (const name of ["notification-batch", "analytics-aggregation"]) {
      await pubsub
        .topic(getPipeline(name).topic)
        .create()
        .catch((err: { code?: number }) => {
          if (err.code !== 6) throw err;
        });
    }
    await pubsub.close();
  });

  const services: Record<string, (local: boolean) => Promise<FastifyInstance>> = {
    "notification-worker": (local) =>
      buildNotificationWorker(
        local
          ? localEnv(redisEnv)
          : productionEnv({ ...redisEnv, ...INVOKER, NOTIFICATION_PUSH_PROVIDER: "fcm" }),
      ),
    "fraud-analyzer": (local) =>
      buildFraudAnalyzer(local ? localEnv(redisEnv) : productionEnv({ ...redisEnv, ...INVOKER })),
    "media-processor": (local) =>
      buildMediaProcessor(
        local
          ? localEnv({ MEDIA_DIR: mediaDir })
          : productionEnv({ MEDIA_DIR: mediaDir, ...INVOKER }),
      ),
    "ai-inference": (local) =>
      buildAiInference(local ? localEnv(redisEnv) : productionEnv({ ...redisEnv, ...INVOKER })),
    "analytics-aggregator": (local) =>
      buildAnalyticsAggregator(
        local
          ? localEnv({ ANALYTICS_NDJSON_DIR: ndjsonDir })
          : productionEnv({ ANALYTICS_NDJSON_DIR: ndjsonDir, ...INVOKER }),
      ),
  };

  for (const [service, build] of Object.entries(services)) {
    it(`${service}: a push body without a message is 400; production without a token is 401`, async () => {
      const local = await build(true);
      try {
        const bad = await local.inject({
          method: "POST",
          url: "/pubsub/push",
          payload: { nope: true },
        });
        expect([bad.statusCode, bad.json()]).to.deep.equal([
          400,
          { error: 'push body has no "message" object', field: "message" },
        ]);
      } finally {
        await local.close();
      }
      const production = await build(false);
      try {
        const denied = await production.inject({
          method: "POST",
          url: "/pubsub/push",
          payload: {},
        });
        expect(denied.statusCode).to.equal(401);
      } finally {
        await production.close();
      }
    });
  }

  it("services refuse production mode without the push invoker's email", async () => {
    const err = await buildFraudAnalyzer(productionEnv(redisEnv)).catch((e: Error) => e.message);
    expect(err).to.equal(
      "invalid configuration:\n  AVALO_PUSH_INVOKER_EMAIL: required when AVALO_AUTH=google-oidc (push tokens must come from the pipeline's invoker service account); it is not set",
    );
  });

  it("notification-worker refuses production mode unless the push provider is fcm", async () => {
    const unset = await buildNotificationWorker(productionEnv({ ...redisEnv, ...INVOKER })).catch(
      (e: Error) => e.message,
    );
    expect(unset).to.equal(
      'invalid configuration:\n  NOTIFICATION_PUSH_PROVIDER: must be "fcm" when AVALO_AUTH=google-oidc ("recorded" is local only); it is not set',
    );
    const recorded = await buildNotificationWorker(
      productionEnv({ ...redisEnv, ...INVOKER, NOTIFICATION_PUSH_PROVIDER: "recorded" }),
    ).catch((e: Error) => e.message);
    expect(recorded).to.match(/NOTIFICATION_PUSH_PROVIDER: .* "recorded" was provided$/);
  });

  it("notification-worker: writes the inbox item once and the flush loop pushes it once", async () => {
    const sink = new RecordedPushSink();
    const app = await buildNotificationWorker(
      localEnv({ ...redisEnv, NOTIFICATION_WINDOW_MILLIS: "100" }),
      { push: sink },
    );
    try {
      const userId = uniqueId("u");
      const data = { notificationId: "n1", userId, kind: "match", title: "Match!", body: "Hi" };
      const id = uniqueId("e");
      expect(await push(app, "notification-batch", data, id)).to.deep.equal([
        200,
        { action: "ack", result: "applied" },
      ]);
      expect(await push(app, "notification-batch", data, id)).to.deep.equal([
        200,
        { action: "ack", result: "duplicate" },
      ]);
      const item = await getFirestore()
        .collection("inboxes")
        .doc(userId)
        .collection("items")
        .doc(dedupeKey(data))
        .get();
      expect(item.get("notificationIds")).to.deep.equal(["n1"]);
      for (let i = 0; i < 50 && sink.sent.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.sent).to.deep.equal([
        {
          batchId: sink.sent[0]?.batchId,
          userId,
          notifications: [{ notificationId: "n1", kind: "match", title: "Match!", body: "Hi" }],
        },
      ]);
    } finally {
      await app.close();
    }
  });

  it("fraud-analyzer: scores the payment with its own rules and records the decision once", async () => {
    const app = await buildFraudAnalyzer(localEnv(redisEnv));
    try {
      const transactionId = uniqueId("tx");
      const data = {
        transactionId,
        userId: uniqueId("u"),
        amountMinor: 1200,
        currency: "EUR",
        deviceId: "d1",
        country: "DE",
      };
      const id = uniqueId("e");
      expect(await push(app, "fraud-check", data, id)).to.deep.equal([
        200,
        { action: "ack", result: "applied" },
      ]);
      expect(await push(app, "fraud-check", data, id)).to.deep.equal([
        200,
        { action: "ack", result: "duplicate" },
      ]);
      const scored = await app.inject({ method: "POST", url: "/v1/score", payload: data });
      const decision = await getFirestore().collection("fraud_decisions").doc(transactionId).get();
      expect([
        decision.get("decision"),
        decision.get("score"),
        decision.get("eventId"),
      ]).to.deep.equal([scored.json().decision, scored.json().score, id]);
    } finally {
      await app.close();
    }
  });

  it("media-processor: makes the job's thumbnails with its own thumbnail maker, once", async () => {
    const app = await buildMediaProcessor(localEnv({ MEDIA_DIR: mediaDir }));
    try {
      const mediaId = uniqueId("m");
      await mkdir(join(mediaDir, "src"), { recursive: true });
      await sharp({
        create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 10, b: 10 } },
      })
        .png()
        .toFile(join(mediaDir, "src", `${mediaId}.png`));
      const data = {
        mediaId,
        ownerId: "o1",
        contentType: "image/png",
        sourceUri: `src/${mediaId}.png`,
      };
      const id = uniqueId("e");
      expect(await push(app, "media-transcode", data, id)).to.deep.equal([
        200,
        { action: "ack", result: "applied" },
      ]);
      expect(await push(app, "media-transcode", data, id)).to.deep.equal([
        200,
        { action: "ack", result: "duplicate" },
      ]);
      const job = await getFirestore().collection("media_jobs").doc(mediaId).get();
      const outputs = [
        "thumbnails/M/small.webp",
        "thumbnails/M/small.jpg",
        "thumbnails/M/medium.webp",
        "thumbnails/M/medium.jpg",
        "thumbnails/M/large.webp",
        "thumbnails/M/large.jpg",
      ].map((k) => k.replace("M", mediaId));
      expect([
        job.get("status"),
        job.get("attempts"),
        [...job.get("outputs")].sort(),
      ]).to.deep.equal(["done", 1, [...outputs].sort()]);
      expect((await readdir(join(mediaDir, "thumbnails", mediaId))).sort()).to.deep.equal(
        outputs.map((k) => k.split("/")[2]).sort(),
      );
    } finally {
      await app.close();
    }
  });

  it("ai-inference: stores its provider's reply once", async () => {
    const app = await buildAiInference(localEnv(redisEnv));
    try {
      const requestId = uniqueId("r");
      const data = { requestId, userId: uniqueId("u"), companionId: "c1", prompt: "hello there" };
      const id = uniqueId("e");
      expect(await push(app, "ai-generation", data, id)).to.deep.equal([
        200,
        { action: "ack", result: "applied" },
      ]);
      expect(await push(app, "ai-generation", data, id)).to.deep.equal([
        200,
        { action: "ack", result: "duplicate" },
      ]);
      const doc = await getFirestore().collection("ai_generations").doc(requestId).get();
      expect([doc.get("provider"), doc.get("model")]).to.deep.equal(["local", "local-echo-1"]);
      expect(doc.get("text")).to.match(
        new RegExp(`^${LOCAL_LABEL.replace(/[[\]]/g, "\\$&")} c1: .* You said: "hello there"`),
      );
    } finally {
      await app.close();
    }
  });

  it("analytics-aggregator: writes the event's row to its warehouse once", async () => {
    const app = await buildAnalyticsAggregator(localEnv({ ANALYTICS_NDJSON_DIR: ndjsonDir }));
    try {
      const id = uniqueId("e");
      const data = {
        eventName: "match_created",
        userId: "u1",
        at: "2026-11-25T10:15:00.000Z",
        value: 2,
      };
      expect(await push(app, "analytics-aggregation", data, id)).to.deep.equal([
        200,
        { action: "ack", result: "applied" },
      ]);
      expect(await push(app, "analytics-aggregation", data, id)).to.deep.equal([
        200,
        { action: "ack", result: "duplicate" },
      ]);
      const file = await readFile(join(ndjsonDir, "analytics_events", `${id}.ndjson`), "utf8");
      expect(
        file
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as unknown),
      ).to.deep.equal([
        {
          event_id: id,
          event_name: "match_created",
          user_id: "u1",
          region: "us-east",
          occurred_at: "2026-11-25T10:15:00.000Z",
          value: 2,
        },
      ]);
    } finally {
      await app.close();
    }
  });
});
