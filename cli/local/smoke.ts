import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getPipeline, PIPELINES, type PipelineSpec } from "../../runtime/catalog/pipelines";
import { followersOf } from "../../runtime/handlers/feed-fanout";
import { MARKER_COLLECTION } from "../../runtime/pipelines/defaults";
import { listDeadLetters } from "../../runtime/pipelines/dlq";
import { redisMarkerKey } from "../../runtime/pipelines/idempotency";
import {
  createEnvelope,
  encodeEnvelope,
  envelopeAttributes,
} from "../../runtime/pipelines/envelope";
import { SERVICES } from "../../runtime/catalog/services";
import { getUserShardId } from "../../runtime/sharding";
import type { Platform } from "./platform";
import { uploadCheck } from "./upload-smoke";

/**
 * The smoke scenario: one valid event through every pipeline with its effect checked, one
 * request to every heavy service, and one poison message that must reach its dead-letter topic
 * with reason `invalid-data`.
 */

/** One check of the scenario. */
export interface SmokeCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly millis: number;
  readonly detail: string;
}

/** Client-side latencies per service, in ms (the services expose no metrics endpoint). */
export type Latencies = Map<string, number[]>;

/** A 1×1 PNG: the media-processor request needs a real image in the local bucket directory. */
const PIXEL_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

async function eventually<T>(
  what: string,
  timeoutMillis: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `${what} did not happen within ${timeoutMillis} ms${last ? `: ${(last as Error).message}` : ""}`,
  );
}

/** A valid event per pipeline, with ids unique to this run. */
function sampleEvent(spec: PipelineSpec, run: string): Record<string, unknown> {
  const now = new Date().toISOString();
  const samples: Record<string, Record<string, unknown>> = {
    "user-created": { userId: `u-${run}`, displayName: "Smoke", country: "US", createdAt: now },
    "match-created": { matchId: `m-${run}`, userIds: [`a-${run}`, `b-${run}`], createdAt: now },
    "feed-fanout": { postId: `p-${run}`, authorId: `u-${run}`, createdAt: now },
    "ai-generation": { requestId: `r-${run}`, userId: `u-${run}`, companionId: "c1", prompt: "hi" },
    "notification-batch": {
      notificationId: `n-${run}`,
      userId: `u-${run}`,
      kind: "system",
      title: "Smoke",
      body: "smoke test",
    },
    "analytics-aggregation": { eventName: "smoke_check", userId: `u-${run}`, at: now, value: 1 },
    "media-transcode": {
      mediaId: `media-${run}`,
      ownerId: `u-${run}`,
      contentType: "image/png",
      sourceUri: `smoke/${run}.png`,
    },
    "fraud-check": {
      transactionId: `tx-${run}`,
      userId: `u-${run}`,
      amountMinor: 1200,
      currency: "USD",
      deviceId: "d1",
      country: "US",
    },
  };
  const sample = samples[spec.name];
  if (!sample) throw new Error(`no smoke event for pipeline "${spec.name}"; add one to smoke.ts`);
  return sample;
}

/** Firestore documents a pipeline's handler writes, where a path is known. */
function effectDocument(spec: PipelineSpec, event: Record<string, unknown>): string | undefined {
  switch (spec.name) {
    case "user-created":
      return `${getUserShardId(String(event.userId))}/${String(event.userId)}`;
    case "media-transcode":
      return `media_jobs/${String(event.mediaId)}`;
    case "fraud-check":
      return `fraud_decisions/${String(event.transactionId)}`;
    default:
      return undefined;
  }
}

async function timed(name: string, check: () => Promise<string>): Promise<SmokeCheck> {
  const started = Date.now();
  try {
    const detail = await check();
    return { name, ok: true, millis: Date.now() - started, detail };
  } catch (error) {
    return { name, ok: false, millis: Date.now() - started, detail: (error as Error).message };
  }
}

/**
 * Whether a handler applied an event: its exactly-once marker exists, in Firestore
 * (`processedEvents`, written in the effect's batch) or in Redis (`processed:<marker>*`).
 */
async function markerWritten(platform: Platform, spec: PipelineSpec, eventId: string) {
  const docs = await platform.db
    .collection(MARKER_COLLECTION)
    .where("eventId", "==", eventId)
    .where("pipeline", "==", spec.name)
    .limit(1)
    .get();
  if (!docs.empty) return "Firestore";
  const [, keys] = await platform.redis.scan(
    "0",
    "MATCH",
    `${redisMarkerKey(spec.name, eventId)}*`,
    "COUNT",
    10_000,
  );
  return keys.length > 0 ? "Redis" : undefined;
}

async function pipelineCheck(platform: Platform, spec: PipelineSpec, run: string) {
  const route = platform.routes.find((r) => r.spec.name === spec.name)!;
  const event = sampleEvent(spec, run);
  const id = `smoke-${spec.name}-${run}`;
  if (spec.name === "feed-fanout") {
    // One follower, so the fan-out has a feed item (and a marker) to write.
    await followersOf(platform.db, String(event.authorId))
      .doc(`f-${run}`)
      .set({ followedAt: new Date().toISOString() });
  }
  await platform.publisher.publish(spec, event as never, { id });
  const store = await eventually(`${spec.name}: exactly-once marker of ${id}`, 30_000, () =>
    markerWritten(platform, spec, id),
  );
  const path = effectDocument(spec, event);
  if (path) {
    await eventually(`${spec.name}: document ${path}`, 30_000, async () =>
      (await platform.db.doc(path).get()).exists ? true : undefined,
    );
    return `applied; ${path} and ${store} marker written (via ${route.consumer})`;
  }
  return `applied; ${store} marker written (via ${route.consumer})`;
}

async function poisonCheck(platform: Platform, run: string): Promise<string> {
  const spec = getPipeline("user-created");
  const route = platform.routes.find((r) => r.spec.name === spec.name)!;
  const valid = createEnvelope(
    spec,
    {
      userId: `poison-${run}`,
      displayName: "x",
      country: "US",
      createdAt: new Date().toISOString(),
    },
    { region: platform.region },
  );
  const envelope = { ...valid, data: { bogus: true } };
  const messageId = await platform.pubsub.topic(route.names.topic).publishMessage({
    data: encodeEnvelope(envelope),
    attributes: envelopeAttributes(envelope),
  });
  const letter = await eventually(
    `poison ${messageId} in ${spec.deadLetterTopic}`,
    30_000,
    async () => {
      const letters = await listDeadLetters(platform.pubsub, spec, {
        holdSubscription: route.names.holdSubscription,
        idleMillis: 300,
        waitMillis: 2000,
      });
      return letters.find((l) => l.originalMessageId === messageId);
    },
  );
  if (letter.reason !== "invalid-data") {
    throw new Error(`dead letter reason is "${letter.reason}", expected "invalid-data"`);
  }
  return `in ${spec.deadLetterTopic} with reason ${letter.reason}`;
}

/** Requests to the heavy services, with the status each must answer. */
function heavyRequests(platform: Platform, run: string) {
  const now = new Date();
  const month = now.toISOString().slice(0, 7);
  const source = join(platform.mediaDir, "smoke", `${run}.png`);
  mkdirSync(dirname(source), { recursive: true });
  writeFileSync(source, PIXEL_PNG);
  const post = (body: unknown) => ({ method: "POST", body: JSON.stringify(body) });
  const requests: Record<string, { path: string; init: { method: string; body?: string } }> = {
    "media-processor": {
      path: "/v1/thumbnails",
      init: post({
        mediaId: `media-h-${run}`,
        ownerId: `u-${run}`,
        contentType: "image/png",
        sourceUri: `smoke/${run}.png`,
      }),
    },
    "ai-inference": {
      path: "/v1/generate",
      init: post({ userId: `u-${run}`, companionId: "c1", prompt: "hello" }),
    },
    "pdf-generator": { path: "/v1/statements", init: post({ userId: `u-${run}`, month }) },
    "fraud-analyzer": {
      path: "/v1/score",
      init: post({
        transactionId: `tx-h-${run}`,
        userId: `u-${run}`,
        amountMinor: 500,
        currency: "USD",
        deviceId: "d1",
        country: "US",
      }),
    },
    "batch-processor": { path: "/v1/jobs", init: { method: "GET" } },
    "ranking-engine": { path: "/v1/rank", init: post({ userId: `u-${run}` }) },
    "analytics-aggregator": {
      path: "/v1/events",
      init: post({ events: [{ eventName: "smoke_check", at: now.toISOString() }] }),
    },
  };
  return requests;
}

/** Records one latency sample for a service. */
export function record(latencies: Latencies, service: string, millis: number): void {
  const list = latencies.get(service) ?? [];
  list.push(millis);
  if (list.length > 1024) list.shift();
  latencies.set(service, list);
}

/** Runs the scenario; every check runs, failures do not stop the others. */
export async function runSmoke(platform: Platform, latencies: Latencies): Promise<SmokeCheck[]> {
  const run = randomUUID().slice(0, 8);
  const requests = heavyRequests(platform, run);
  const heavy = SERVICES.filter((s) => s.kind === "heavy").map((spec) =>
    timed(`service ${spec.name}`, async () => {
      const request = requests[spec.name];
      if (!request) throw new Error(`no smoke request for heavy service "${spec.name}"`);
      const service = platform.services.find((s) => s.service === spec.name);
      if (!service) throw new Error(`service ${spec.name} is not running`);
      const started = Date.now();
      const res = await fetch(`${service.url}${request.path}`, {
        ...request.init,
        headers: request.init.body ? { "content-type": "application/json" } : {},
        signal: AbortSignal.timeout(30_000),
      });
      const body = Buffer.from(await res.arrayBuffer());
      record(latencies, spec.name, Date.now() - started);
      if (!res.ok) {
        throw new Error(
          `${request.init.method} ${request.path} answered ${res.status}: ${body.toString("utf8").slice(0, 300)}`,
        );
      }
      return `${request.init.method} ${request.path} ${res.status} (${body.length} bytes)`;
    }),
  );
  const pipelines = PIPELINES.map((spec) =>
    timed(`pipeline ${spec.name}`, () => pipelineCheck(platform, spec, run)),
  );
  const poison = timed("poison message", () => poisonCheck(platform, run));
  const upload = timed("media upload", () => uploadCheck(platform, run));
  return Promise.all([...heavy, ...pipelines, poison, upload]);
}
