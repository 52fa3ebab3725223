import { randomUUID } from "node:crypto";
import { PubSub, type Message } from "@google-cloud/pubsub";
import type Redis from "ioredis";
import { getPipeline, type PipelineSpec } from "../runtime/catalog/pipelines";
import { startPubSubEmulator, startRedis, type LocalProcess } from "../runtime/local/processes";
import { ConsumerCore } from "../runtime/pipelines/consumer";
import { PubSubDeadLetterSink } from "../runtime/pipelines/deadletter";
import { PUBLISH_BATCHING } from "../runtime/pipelines/defaults";
import { applyOnceRedis } from "../runtime/pipelines/idempotency";
import { silentLogger } from "../runtime/pipelines/log";
import { PipelineMetrics } from "../runtime/pipelines/metrics";
import { provisionPipelines } from "../runtime/pipelines/provision";
import { PipelinePublisher } from "../runtime/pipelines/publisher";
import { startPullWorker } from "../runtime/pipelines/pull";
import { connectRedis } from "../runtime/redis/connection";
import { result, type Benchmark, type BenchResult } from "./harness";

/**
 * Pipelines benchmarks, each on its own Pub/Sub emulator (and redis-server), started here and
 * stopped afterwards:
 *  - publish throughput through PipelinePublisher (validation + envelope + retry wrapper) against
 *    the bare @google-cloud/pubsub client with the same batching; target >= 90% of bare;
 *  - end-to-end publish → handler → ack at a fixed rate through the consumer core (decode,
 *    validation, Redis exactly-once marker) against a bare no-op subscriber; target: p95
 *    overhead <= 1 ms per message.
 */

const spec = getPipeline("user-created");
const event = (i: number) => ({
  userId: `u-${i}`,
  displayName: "Bench User",
  country: "DE",
  createdAt: "2026-01-01T00:00:00Z",
});

interface Env {
  pubsub: PubSub;
  emulator: LocalProcess;
  redis?: LocalProcess;
}

async function withEmulator<T>(useRedis: boolean, fn: (env: Env) => Promise<T>): Promise<T> {
  process.env.METADATA_SERVER_DETECTION = "none";
  const [emulator, redis] = await Promise.all([
    startPubSubEmulator(),
    useRedis ? startRedis() : Promise.resolve(undefined),
  ]);
  process.env.PUBSUB_EMULATOR_HOST = emulator.endpoint;
  const pubsub = new PubSub({ projectId: "avalo-local" });
  try {
    return await fn({ pubsub, emulator, redis });
  } finally {
    await pubsub.close();
    await Promise.all([emulator.stop(), redis?.stop()]);
  }
}

async function rate(count: number, send: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) pending.push(send(i));
  await Promise.all(pending);
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

const publishThroughput: Benchmark = {
  name: "publish-throughput",
  async run(): Promise<BenchResult> {
    const count = 20_000;
    return withEmulator(false, async ({ pubsub }) => {
      await pubsub.createTopic("bench-bare");
      await pubsub.createTopic("bench-ours");
      const bare = pubsub.topic("bench-bare", { batching: { ...PUBLISH_BATCHING } });
      const publisher = new PipelinePublisher({
        pubsub,
        region: "eu-west",
        topicName: () => "bench-ours",
        logger: silentLogger,
        metrics: new PipelineMetrics(),
      });
      // The same message as ours, byte for byte in shape: the envelope with a UUID id, mirrored
      // into the attributes. The emulator's throughput depends on message size.
      const sendBare = (i: number) => {
        const id = randomUUID();
        return bare.publishMessage({
          data: Buffer.from(
            JSON.stringify({
              id,
              type: spec.eventType,
              version: 1,
              occurredAt: new Date().toISOString(),
              region: "eu-west",
              data: event(i),
            }),
          ),
          attributes: { type: spec.eventType, version: "1", region: "eu-west", id },
        });
      };
      const sendOurs = (i: number) => publisher.publish(spec, event(i));
      // The emulator (a JVM) and both clients speed up over the first ~100k messages: warm both
      // up alike, so the measured rounds compare steady states.
      for (let round = 0; round < 4; round++) {
        await rate(count, sendBare);
        await rate(count, sendOurs);
      }
      const bareRates: number[] = [];
      const ourRates: number[] = [];
      // Alternate which goes first, so neither always runs on the other's garbage.
      for (let round = 0; round < 8; round++) {
        if (round % 2 === 0) {
          bareRates.push(await rate(count, sendBare));
          ourRates.push(await rate(count, sendOurs));
        } else {
          ourRates.push(await rate(count, sendOurs));
          bareRates.push(await rate(count, sendBare));
        }
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
      return result({
        name: "publish-throughput",
        metric: "msg/s (median of 8 alternating rounds of 20k, after 4 warm-up rounds each)",
        value: median(ourRates),
        baseline: { name: "bare @google-cloud/pubsub, same batching", value: median(bareRates) },
        target: "ratio >= 0.9",
        check: (ratio) => ratio >= 0.9,
        figures: {
          ourRounds: ourRates.map(Math.round).join(","),
          bareRounds: bareRates.map(Math.round).join(","),
          bestRatio: Math.max(...ourRates) / Math.max(...bareRates),
        },
      });
    });
  },
};

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Publishes `total` messages at `perSecond` and resolves with publish→done latencies (ms). */
async function fixedRate(
  publish: (i: number) => Promise<unknown>,
  sentAt: Map<string, number>,
  done: Map<string, number>,
  ids: (i: number) => string,
  total: number,
  perSecond: number,
): Promise<number[]> {
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
  let i = 0;
  const publishes: Promise<unknown>[] = [];
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (let k = 0; k < perTick && i < total; k++, i++) {
        sentAt.set(ids(i), performance.now());
        publishes.push(publish(i));
      }
      if (i >= total) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  await Promise.all(publishes);
  const deadline = Date.now() + 30_000;
  while (done.size < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return [...done.entries()].map(([id, at]) => at - (sentAt.get(id) ?? at)).sort((a, b) => a - b);
}

async function endToEndRun(
  pubsub: PubSub,
  redis: Redis,
  label: string,
  ours: boolean,
  total: number,
  perSecond: number,
): Promise<{ latencies: number[]; seconds: number }> {
  const prefix = `${label}-`;
  const testSpec: PipelineSpec = { ...spec, maxDeliveryAttempts: 5 };
  const [names] = await provisionPipelines(pubsub, { pipelines: [testSpec], prefix });
  const publisher = new PipelinePublisher({
    pubsub,
    region: "eu-west",
    topicName: () => names.topic,
    logger: silentLogger,
    metrics: new PipelineMetrics(),
  });
  const sentAt = new Map<string, number>();
  const done = new Map<string, number>();
  const ids = (i: number) => `${label}-${i}`;
  let stop: () => Promise<void>;
  if (ours) {
    const core = new ConsumerCore({
      handler: {
        pipeline: testSpec,
        handle: (env) =>
          applyOnceRedis(
            redis,
            { pipeline: label, eventId: env.id },
            [`bench:${label}:count`],
            [{ command: "INCRBY", key: 0, args: [1] }],
          ).then((r) => {
            done.set(env.id, performance.now());
            return r;
          }),
      },
      deadLetter: new PubSubDeadLetterSink(pubsub, () => names.deadLetterTopic),
      logger: silentLogger,
      metrics: new PipelineMetrics(),
    });
    const worker = startPullWorker({
      pubsub,
      subscription: names.subscriptions.local,
      core,
      logger: silentLogger,
    });
    stop = () => worker.drain(1000);
  } else {
    const sub = pubsub.subscription(names.subscriptions.local, {
      flowControl: { maxMessages: 256, allowExcessMessages: false },
    });
    sub.on("message", (m: Message) => {
      done.set(m.attributes.id, performance.now());
      m.ack();
    });
    stop = () => sub.close();
  }
  const started = performance.now();
  const latencies = await fixedRate(
    (i) => publisher.publish(testSpec, event(i), { id: ids(i) }),
    sentAt,
    done,
    ids,
    total,
    perSecond,
  );
  const seconds = (performance.now() - started) / 1000;
  await stop();
  return { latencies, seconds };
}

const endToEnd: Benchmark = {
  name: "end-to-end",
  async run(): Promise<BenchResult[]> {
    const total = 5000;
    const perSecond = 1000;
    return withEmulator(true, async ({ pubsub, redis: redisProcess }) => {
      const redis = connectRedis({ port: redisProcess!.port });
      try {
        await endToEndRun(pubsub, redis, "warm", true, 1000, perSecond);
        const bare = await endToEndRun(pubsub, redis, "bare", false, total, perSecond);
        const ours = await endToEndRun(pubsub, redis, "ours", true, total, perSecond);
        const p = (xs: number[], q: number) => percentile(xs, q);
        const overheadP95 = p(ours.latencies, 0.95) - p(bare.latencies, 0.95);
        const figures = {
          rate: perSecond,
          messages: total,
          oursDelivered: ours.latencies.length,
          bareDelivered: bare.latencies.length,
          oursP50Ms: p(ours.latencies, 0.5),
          oursP95Ms: p(ours.latencies, 0.95),
          oursP99Ms: p(ours.latencies, 0.99),
          bareP50Ms: p(bare.latencies, 0.5),
          bareP95Ms: p(bare.latencies, 0.95),
          bareP99Ms: p(bare.latencies, 0.99),
          overheadP95Ms: overheadP95,
        };
        return [
          result({
            name: "end-to-end-throughput",
            metric: "msg/s handled at a fixed 1000 msg/s offered rate",
            value: ours.latencies.length / ours.seconds,
            baseline: {
              name: "bare no-op subscriber",
              value: bare.latencies.length / bare.seconds,
            },
            figures,
          }),
          result({
            name: "end-to-end-p95-latency",
            metric: "ms, publish → handler done (p95)",
            value: p(ours.latencies, 0.95),
            baseline: { name: "bare no-op subscriber p95", value: p(bare.latencies, 0.95) },
            target: "p95 overhead (ours - bare) <= 1 ms",
            check: () => overheadP95 <= 1,
            figures,
          }),
        ];
      } finally {
        redis.disconnect();
      }
    });
  },
};

export const benchmarks: Benchmark[] = [publishThroughput, endToEnd];
