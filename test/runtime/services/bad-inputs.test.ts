import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { PIPELINES } from "../../../runtime/catalog/pipelines";
import {
  createEnvelope,
  encodeEnvelope,
  envelopeAttributes,
} from "../../../runtime/pipelines/envelope";
import { PUSH_BODY_LIMIT_BYTES, pushRequest } from "../../../runtime/pipelines/push";
import { AI_INFERENCE_ROUTES } from "../../../runtime/services/ai-inference/contract";
import { buildAiInference } from "../../../runtime/services/ai-inference/app";
import { ANALYTICS_AGGREGATOR_ROUTES } from "../../../runtime/services/analytics-aggregator/contract";
import { buildAnalyticsAggregator } from "../../../runtime/services/analytics-aggregator/app";
import { BATCH_PROCESSOR_ROUTES } from "../../../runtime/services/batch-processor/contract";
import { buildBatchProcessor } from "../../../runtime/services/batch-processor/app";
import { SERVICES } from "../../../runtime/catalog/services";
import { buildFeedWorker } from "../../../runtime/services/feed-worker/app";
import { FRAUD_ANALYZER_ROUTES } from "../../../runtime/services/fraud-analyzer/contract";
import { buildFraudAnalyzer } from "../../../runtime/services/fraud-analyzer/app";
import { buildMatchWorker } from "../../../runtime/services/match-worker/app";
import { MEDIA_PROCESSOR_ROUTES } from "../../../runtime/services/media-processor/contract";
import { buildMediaProcessor } from "../../../runtime/services/media-processor/app";
import { buildNotificationWorker } from "../../../runtime/services/notification-worker/app";
import { PDF_GENERATOR_ROUTES } from "../../../runtime/services/pdf-generator/contract";
import { buildPdfGenerator } from "../../../runtime/services/pdf-generator/app";
import { RANKING_ENGINE_ROUTES } from "../../../runtime/services/ranking-engine/contract";
import { buildRankingEngine } from "../../../runtime/services/ranking-engine/app";
import { bodyRoutesOf } from "../../../runtime/services/server/app";
import type { BodyRoute } from "../../../runtime/services/server/routes";
import { buildUserWorker } from "../../../runtime/services/user-worker/app";
import { fieldCases, largestValid, type FieldCase } from "../../support/field-cases";
import { useFirestore, usePubSub, useRedis } from "../../support/services";
import { localEnv } from "./env";

/**
 * Bad inputs generated from each route's zod schema (test/support/field-cases.ts), played against
 * every service's body routes and its push endpoint: each field missing, of the wrong type, past
 * its bound, an unknown field, an empty body, a body that is not JSON and one over the route's
 * limit. Every answer must be a 4xx naming the field (`body` for the whole body), and the service
 * must still answer `/healthz` afterwards.
 */

const AT = "2026-11-25T14:30:00Z";
const candidate = (i: number) => ({ postId: `p-${i}`, authorId: `a-${i}`, createdAt: AT });
const event = (i: number) => ({ eventName: "profile_view", userId: `u-${i}`, at: AT, value: 1 });

/** A valid body of every route (every optional field set; lists of two). */
const SAMPLES: Record<string, Record<string, unknown>> = {
  "POST /v1/uploads": { ownerId: "u-1", contentType: "image/png" },
  "POST /v1/uploads/complete": {
    ownerId: "u-1",
    mediaId: "0f8fad5b-d9cb-469f-a165-70867728950e",
  },
  "POST /v1/score": {
    transactionId: "t-1",
    userId: "u-1",
    amountMinor: 1500,
    currency: "EUR",
    deviceId: "d-1",
    country: "DE",
    occurredAt: AT,
  },
  "POST /v1/refunds": { refundId: "r-1", userId: "u-1", amountMinor: 100, occurredAt: AT },
  "PUT /v1/profiles/:userId": { country: "DE" },
  "POST /v1/thumbnails": {
    mediaId: "m-1",
    ownerId: "u-1",
    contentType: "image/png",
    sourceUri: "uploads/m-1.png",
  },
  "POST /v1/receipts": { userId: "u-1", transactionId: "t-1", month: "2026-11" },
  "POST /v1/statements": { userId: "u-1", month: "2026-11" },
  "POST /v1/rank": {
    userId: "u-1",
    candidates: [candidate(1), candidate(2)],
    limit: 20,
    cursor: "c",
  },
  "POST /v1/interactions": { userId: "u-1", authorId: "a-1", weight: 1 },
  "POST /v1/candidates": { userIds: ["u-1", "u-2"], candidates: [candidate(1), candidate(2)] },
  "POST /v1/generate": { userId: "u-1", companionId: "c-1", prompt: "hello" },
  "POST /v1/events": { events: [event(1), event(2)] },
  "POST /v1/flush": { hour: "2026-11-25T14:00:00Z" },
  "POST /v1/jobs/:jobId/run": { job: "backfill", params: {}, budgetSeconds: 10 },
};

/** A valid event of every pipeline (every optional field set; lists of two). */
const EVENTS: Record<string, Record<string, unknown>> = {
  "user-created": { userId: "u-1", displayName: "Ada", country: "DE", createdAt: AT },
  "match-created": { matchId: "m-1", userIds: ["u-1", "u-2"], createdAt: AT },
  "feed-fanout": { postId: "p-1", authorId: "a-1", createdAt: AT, followerCursor: "u-9" },
  "ai-generation": { requestId: "r-1", userId: "u-1", companionId: "c-1", prompt: "hello" },
  "notification-batch": {
    notificationId: "n-1",
    userId: "u-1",
    kind: "like",
    title: "New like",
    body: "someone liked your profile",
  },
  "analytics-aggregation": event(1),
  "media-transcode": SAMPLES["POST /v1/thumbnails"],
  "fraud-check": {
    transactionId: "t-1",
    userId: "u-1",
    amountMinor: 1500,
    currency: "EUR",
    deviceId: "d-1",
    country: "DE",
  },
};

const PUSH_MESSAGE = {
  data: Buffer.from("{}").toString("base64"),
  attributes: { region: "us-east" },
  messageId: "m-1",
  message_id: "m-1",
  publishTime: AT,
};

/** A route as the test plays it: its concrete URL, limit and generated bad cases. */
interface Played {
  readonly method: "POST" | "PUT";
  readonly url: string;
  readonly limit: number;
  /** Bad bodies, each with the field its answer must name. */
  readonly cases: readonly { what: string; body: unknown; field: string }[];
}

const PARAMS: Record<string, string> = { ":userId": "u-1", ":jobId": "job-1" };
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, (p) => PARAMS[p]);

const bad = (cases: FieldCase[], prefix = "") =>
  cases
    .filter((k) => !k.valid)
    .map((k) => ({ what: `${prefix}${k.field} ${k.kind}`, body: k.doc, field: prefix + k.field }));

function bodyRoutePlay(route: BodyRoute): Played {
  const sample = SAMPLES[`${route.method} ${route.url}`];
  if (!sample) throw new Error(`no sample body for ${route.method} ${route.url}`);
  return {
    method: route.method,
    url: concrete(route.url),
    limit: route.bodyLimitBytes,
    cases: bad(fieldCases(route.body, { base: sample, samples: sample })),
  };
}

/**
 * The push wrapper is Google's format, so unknown fields are tolerated there by design; every
 * other generated case applies, at the top level and inside `message`.
 */
function pushPlay(): Played {
  const top = {
    message: PUSH_MESSAGE,
    subscription: "projects/p/subscriptions/s",
    deliveryAttempt: 1,
  };
  const known = (k: FieldCase) => k.kind !== "unknown-field";
  const message = pushRequest.shape.message as unknown as z.ZodType;
  return {
    method: "POST",
    url: "/pubsub/push",
    limit: PUSH_BODY_LIMIT_BYTES,
    cases: [
      ...bad(
        fieldCases(pushRequest, { base: { message: PUSH_MESSAGE }, samples: top }).filter(known),
      ),
      ...bad(
        fieldCases(message, { base: PUSH_MESSAGE, samples: PUSH_MESSAGE }).filter(known),
        "message.",
      ).map((k) => ({ ...k, body: { message: k.body } })),
    ],
  };
}

const ROUTES: Record<string, readonly BodyRoute[]> = {
  "fraud-analyzer": FRAUD_ANALYZER_ROUTES,
  "media-processor": MEDIA_PROCESSOR_ROUTES,
  "pdf-generator": PDF_GENERATOR_ROUTES,
  "ranking-engine": RANKING_ENGINE_ROUTES,
  "ai-inference": AI_INFERENCE_ROUTES,
  "analytics-aggregator": ANALYTICS_AGGREGATOR_ROUTES,
  "batch-processor": BATCH_PROCESSOR_ROUTES,
};

describe("bad request bodies, generated from each route's schema, on every service", function () {
  this.timeout(180_000);
  let redisEnv: Record<string, string>;
  let dir: string;

  before(async () => {
    const [redis] = await Promise.all([useRedis(), useFirestore(), usePubSub()]);
    redisEnv = { REDIS_HOST: redis.host, REDIS_PORT: String(redis.port) };
    dir = await mkdtemp(join(tmpdir(), "avalo-bad-inputs-"));
  });

  const builders: Record<string, () => Promise<FastifyInstance>> = {
    "fraud-analyzer": () => buildFraudAnalyzer(localEnv(redisEnv)),
    "media-processor": () => buildMediaProcessor(localEnv({ MEDIA_DIR: dir })),
    "pdf-generator": () => buildPdfGenerator(localEnv()),
    "ranking-engine": () => buildRankingEngine(localEnv(redisEnv)),
    "ai-inference": () => buildAiInference(localEnv(redisEnv)),
    "analytics-aggregator": () => buildAnalyticsAggregator(localEnv({ ANALYTICS_NDJSON_DIR: dir })),
    "batch-processor": () => buildBatchProcessor(localEnv()),
    "user-worker": () => buildUserWorker(localEnv(redisEnv)),
    "match-worker": () => buildMatchWorker(localEnv(redisEnv)),
    "feed-worker": () => buildFeedWorker(localEnv(redisEnv)),
    "notification-worker": () => buildNotificationWorker(localEnv(redisEnv)),
  };

  it("covers every service of the catalog", () => {
    expect(Object.keys(builders).sort()).to.deep.equal(SERVICES.map((s) => s.name).sort());
  });

  it("sizes every route's limit from its schema: the largest valid body fits, with at most 16 times room", () => {
    const off = Object.values(ROUTES)
      .flat()
      .map((route) => {
        const largest = largestValid(route.body, SAMPLES[`${route.method} ${route.url}`]);
        const bytes = Buffer.byteLength(JSON.stringify(largest));
        const fits =
          route.body.safeParse(largest).success &&
          bytes <= route.bodyLimitBytes &&
          route.bodyLimitBytes <= Math.max(4096, 16 * bytes);
        return fits
          ? ""
          : `${route.method} ${route.url}: largest ${bytes} B, limit ${route.bodyLimitBytes} B`;
      })
      .filter(Boolean);
    expect(off).to.deep.equal([]);
  });

  it("sizes the push limit from the pipelines: the largest event of each fits its push body", () => {
    const sizes = PIPELINES.map((spec) => {
      const largest = largestValid(spec.schema, EVENTS[spec.name]);
      const envelope = createEnvelope(spec, largest as never, { region: "us-east", id: "e-1" });
      const wrapper = {
        message: {
          data: encodeEnvelope(envelope).toString("base64"),
          attributes: envelopeAttributes(envelope),
          messageId: "17000000000000000",
          message_id: "17000000000000000",
          publishTime: AT,
          publish_time: AT,
        },
        subscription: "projects/avalo-us/subscriptions/avalo-user-created-us-east1",
        deliveryAttempt: 5,
      };
      return [spec.name, Buffer.byteLength(JSON.stringify(wrapper))] as const;
    });
    const largest = Math.max(...sizes.map(([, bytes]) => bytes));
    expect(sizes.filter(([, bytes]) => bytes > PUSH_BODY_LIMIT_BYTES)).to.deep.equal([]);
    expect(PUSH_BODY_LIMIT_BYTES).to.be.at.most(16 * largest);
  });

  for (const { name } of SERVICES) {
    it(`${name}: every body route answers each bad body with a 4xx naming the field`, async () => {
      const consumes = PIPELINES.some((p) => p.consumer === name);
      const contract = ROUTES[name] ?? [];
      const plays = [...contract.map(bodyRoutePlay), ...(consumes ? [pushPlay()] : [])];
      const app = await builders[name]();
      try {
        expect(
          bodyRoutesOf(app).map((r) => `${r.method} ${r.url} ${r.bodyLimitBytes}`),
          "mounted body routes",
        ).to.have.members([
          ...contract.map((r) => `${r.method} ${r.url} ${r.bodyLimitBytes}`),
          ...(consumes ? [`POST /pubsub/push ${PUSH_BODY_LIMIT_BYTES}`] : []),
        ]);
        const failures: string[] = [];
        let played = 0;
        const send = async (p: Played, what: string, payload: string, field: string) => {
          played++;
          const res = await app.inject({
            method: p.method,
            url: p.url,
            headers: { "content-type": "application/json" },
            payload,
          });
          const answer = String(res.headers["content-type"] ?? "").includes("json")
            ? (res.json() as { field?: string })
            : {};
          const named = answer.field === field || answer.field?.startsWith(`${field}.`);
          if (res.statusCode < 400 || res.statusCode >= 500 || !named) {
            failures.push(
              `${p.method} ${p.url} ${what}: ${res.statusCode} ${res.body.slice(0, 200)}`,
            );
          }
        };
        for (const p of plays) {
          for (const k of p.cases) {
            const payload = JSON.stringify(k.body);
            const over = Buffer.byteLength(payload) > p.limit;
            await send(p, k.what, payload, over ? "body" : k.field);
          }
          await send(p, "empty body", "", p.url === "/pubsub/push" ? "message" : "body");
          await send(p, "not JSON", "{not json", "body");
          await send(p, "over the limit", JSON.stringify({ pad: "x".repeat(p.limit) }), "body");
        }
        expect(failures).to.deep.equal([]);
        expect(played).to.be.at.least(plays.length * 8);
        let health = await app.inject({ method: "GET", url: "/healthz" });
        for (let i = 0; i < 3 && health.statusCode !== 200; i++) {
          health = await app.inject({ method: "GET", url: "/healthz" });
        }
        expect(health.statusCode, health.body).to.equal(200);
      } finally {
        await app.close();
      }
    });
  }
});
