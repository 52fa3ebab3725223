import { appendFileSync } from "node:fs";
import { PubSub } from "@google-cloud/pubsub";
import { getPipeline, type PipelineSpec } from "../../runtime/catalog/pipelines";
import { getFirestore } from "../../runtime/firestore/client";
import {
  createAnalyticsAggregationHandler,
  NdjsonRowSink,
} from "../../runtime/handlers/analytics-aggregation";
import {
  createNotificationBatchHandler,
  type PushBatch,
  type PushProvider,
} from "../../runtime/handlers/notification-batch";
import type { PipelineHandler } from "../../runtime/pipelines/consumer";
import { ConsumerCore } from "../../runtime/pipelines/consumer";
import { PubSubDeadLetterSink } from "../../runtime/pipelines/deadletter";
import { silentLogger } from "../../runtime/pipelines/log";
import { PipelineMetrics } from "../../runtime/pipelines/metrics";
import { PipelinePublisher } from "../../runtime/pipelines/publisher";
import { startUnaryPullWorker } from "../../runtime/pipelines/unary-pull";
import { connectRedis } from "../../runtime/redis/connection";
import { initSharding } from "../../runtime/sharding";
import { isRegionId } from "../../runtime/topology";

/**
 * One pipeline worker of the fault suite, run as its own process so it can be SIGKILLed: the
 * real handler (runtime/handlers) behind the real consumer core and unary-Pull worker
 * (runtime/pipelines/unary-pull.ts: a killed worker's leases come back after the ack deadline) on the suite's prefixed subscription, against the platform's emulators and
 * redis-server. It prints one JSON line of counters every 250 ms. Notification pushes are
 * appended to PUSH_LOG, one line per notification id with its batch id, so the suite can count
 * them.
 *
 * Environment: FAULTS_PIPELINE, FAULTS_PREFIX, FAULTS_REGION, FAULTS_PUSH_LOG, FAULTS_ROWS_DIR,
 * FAULTS_MAX_CONCURRENT, plus the emulator hosts and REDIS_HOST/REDIS_PORT/REDIS_PASSWORD.
 */

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`worker-process: environment variable ${name} is required`);
  return value;
}

/** Appends each push's notification ids to a file (the recorded stand-in for FCM). */
class FilePushSink implements PushProvider {
  constructor(private readonly file: string) {}
  async send(batch: PushBatch): Promise<void> {
    appendFileSync(
      this.file,
      batch.notifications
        .map((n) => `${batch.userId} ${n.notificationId} ${batch.batchId}\n`)
        .join(""),
    );
  }
}

async function main(): Promise<void> {
  const spec: PipelineSpec = getPipeline(required("FAULTS_PIPELINE"));
  const prefix = required("FAULTS_PREFIX");
  const region = required("FAULTS_REGION");
  if (!isRegionId(region)) throw new Error(`worker-process: FAULTS_REGION "${region}" unknown`);
  const maxConcurrent = Number(process.env.FAULTS_MAX_CONCURRENT ?? 128);
  await initSharding();
  const pubsub = new PubSub({ projectId: required("GOOGLE_CLOUD_PROJECT") });
  const db = getFirestore();
  const redis = connectRedis({
    host: required("REDIS_HOST"),
    port: Number(required("REDIS_PORT")),
    password: required("REDIS_PASSWORD"),
  });
  redis.on("error", () => undefined);
  const publisher = new PipelinePublisher({
    pubsub,
    region,
    logger: silentLogger,
    topicName: (s) => `${prefix}${s.topic}`,
  });
  const deps = { db, redis, publisher };
  let handler: PipelineHandler;
  let stopFlush = () => undefined as void;
  if (spec.name === "analytics-aggregation") {
    handler = createAnalyticsAggregationHandler({
      ...deps,
      rows: new NdjsonRowSink(required("FAULTS_ROWS_DIR")),
    }) as unknown as PipelineHandler;
  } else if (spec.name === "notification-batch") {
    const h = createNotificationBatchHandler(deps, {
      push: new FilePushSink(required("FAULTS_PUSH_LOG")),
      windowMillis: 500,
      claimLeaseMillis: 3000,
      keyPrefix: `notify-${prefix}`,
    });
    stopFlush = h.startFlushLoop(200);
    handler = h as unknown as PipelineHandler;
  } else {
    throw new Error(`worker-process: no fault-suite wiring for pipeline "${spec.name}"`);
  }
  const metrics = new PipelineMetrics();
  const core = new ConsumerCore({
    handler,
    deadLetter: new PubSubDeadLetterSink(pubsub, (s) => `${prefix}${s.deadLetterTopic}`),
    regionFilter: region,
    maxConcurrent,
    metrics,
    logger: silentLogger,
  });
  const worker = startUnaryPullWorker({
    pubsub,
    subscription: `${prefix}${spec.topic}-${region}`,
    core,
    batchSize: maxConcurrent,
    logger: silentLogger,
  });
  const report = () => {
    const counters = metrics.snapshot()[spec.name]?.counters;
    process.stdout.write(
      `${JSON.stringify({ pid: process.pid, inFlight: core.inFlight, ...(counters ?? {}) })}\n`,
    );
  };
  setInterval(report, 250).unref();
  process.once("SIGTERM", () => {
    stopFlush();
    void worker
      .drain(5000)
      .then(() => publisher.flush())
      .finally(() => {
        report();
        redis.disconnect();
        process.exit(0);
      });
  });
  process.stdout.write(`${JSON.stringify({ pid: process.pid, ready: true })}\n`);
  await new Promise(() => undefined);
}

main().catch((err: unknown) => {
  process.stderr.write(`worker-process failed: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
