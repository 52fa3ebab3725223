import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PubSub } from "@google-cloud/pubsub";
import type { Firestore } from "firebase-admin/firestore";
import type Redis from "ioredis";
import { PIPELINES, type PipelineSpec } from "../../runtime/catalog/pipelines";
import { getFirestore } from "../../runtime/firestore/client";
import {
  freePort,
  startFirestoreEmulator,
  startPubSubEmulator,
  startRedis,
  type LocalProcess,
} from "../../runtime/local/processes";
import { silentLogger } from "../../runtime/pipelines/log";
import { PipelineMetrics } from "../../runtime/pipelines/metrics";
import { provisionPipelines, type ProvisionedPipeline } from "../../runtime/pipelines/provision";
import { PipelinePublisher } from "../../runtime/pipelines/publisher";
import { connectRedis } from "../../runtime/redis/connection";
import { serviceUrlVariable } from "../../runtime/services/server/config";
import { initSharding } from "../../runtime/sharding";
import type { RegionId } from "../../runtime/topology";
import { prepareBundles } from "./bundles";
import { startPipelineHost, type PipelineHost } from "./pipeline-host";
import { startService, waitHealthy, type ServiceProcess } from "./services";
import { startLocalUploads } from "./uploads";

/**
 * The whole platform on this machine: the Pub/Sub and Firestore emulators and redis-server (AOF,
 * `appendfsync always`) on free loopback ports, every service bundle as its own process, and
 * every catalog pipeline provisioned with its push subscription pointing at its consumer.
 */

/** Project id of the emulators and of every service. */
export const LOCAL_PROJECT = "avalo-local";

/**
 * Retry backoff cap of the local subscriptions: a worker restarted after a crash gets its
 * messages back within seconds rather than after the catalog's backoff of up to 10 minutes.
 */
export const LOCAL_MAX_BACKOFF_SECONDS = 10;

export interface PlatformOptions {
  /** Repository root. */
  readonly rootDir: string;
  readonly region: RegionId;
  /**
   * How long every service may take to be healthy once started. Generous, so that a loaded
   * machine reports a slow start instead of failing; the target (< 60 s) is reported. @default 180_000
   */
  readonly healthTimeoutMillis?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** Where a pipeline's push subscription delivers. */
export interface PipelineRoute {
  readonly spec: PipelineSpec;
  readonly names: ProvisionedPipeline;
  /** The consumer service from the catalog. */
  readonly consumer: string;
  readonly endpoint: string;
  /** `bundle`: the consumer bundle's own /pubsub/push; `host`: the local pipeline host. */
  readonly via: "bundle" | "host";
}

export interface Platform {
  readonly region: RegionId;
  readonly pubsub: PubSub;
  readonly db: Firestore;
  readonly redis: Redis;
  readonly publisher: PipelinePublisher;
  readonly metrics: PipelineMetrics;
  readonly emulators: { readonly pubsub: LocalProcess; readonly firestore: LocalProcess };
  readonly redisServer: LocalProcess;
  readonly services: readonly ServiceProcess[];
  readonly host: PipelineHost;
  readonly routes: readonly PipelineRoute[];
  /** Messages that reached each pipeline's dead-letter topic since start, by pipeline name. */
  readonly deadLettered: ReadonlyMap<string, number>;
  readonly mediaDir: string;
  readonly rowsDir: string;
  /** Start of `startPlatform` to every service healthy and every pipeline provisioned. */
  readonly startupMillis: number;
  /** Every process id started (process group leaders). */
  readonly pids: readonly number[];
  /** Stops everything, services first; safe to call twice. */
  stop(): Promise<void>;
}

/** Whether a service answers POST /pubsub/push (a 404 means it does not mount the route). */
async function mountsPush(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/pubsub/push`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
      signal: AbortSignal.timeout(5000),
    });
    await res.arrayBuffer();
    return res.status !== 404;
  } catch {
    return false;
  }
}

/** Starts the platform; on any failure stops what it started and rethrows. */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const stack: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stack.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const runDir = join(options.rootDir, "out", "local", "run");
    const mediaDir = join(runDir, "media");
    const rowsDir = join(runDir, "rows");
    mkdirSync(mediaDir, { recursive: true });
    mkdirSync(rowsDir, { recursive: true });

    const [prepared, pubsubEmulator, firestoreEmulator, redisServer] = await Promise.all([
      prepareBundles(options.rootDir),
      startPubSubEmulator(LOCAL_PROJECT).then((p) => (stack.push(() => p.stop()), p)),
      startFirestoreEmulator().then((p) => (stack.push(() => p.stop()), p)),
      startRedis({ appendOnly: true }).then((p) => (stack.push(() => p.stop()), p)),
    ]);
    const { bundles } = prepared;
    log(`bundles ${prepared.rebuilt ? "rebuilt" : "reused from cache"} in ${prepared.millis} ms`);
    log(
      `emulators and redis-server up in ${Date.now() - started} ms (pubsub ${pubsubEmulator.endpoint}, firestore ${firestoreEmulator.endpoint}, redis ${redisServer.endpoint})`,
    );

    const uploads = await startLocalUploads(runDir, mediaDir);
    stack.push(() => uploads.endpoint.stop());
    process.env.PUBSUB_EMULATOR_HOST = pubsubEmulator.endpoint;
    process.env.FIRESTORE_EMULATOR_HOST = firestoreEmulator.endpoint;
    process.env.METADATA_SERVER_DETECTION = "none";
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      AVALO_REGION: options.region,
      AVALO_AUTH: "local",
      GOOGLE_CLOUD_PROJECT: LOCAL_PROJECT,
      LOG_LEVEL: "warn",
      PUBSUB_EMULATOR_HOST: pubsubEmulator.endpoint,
      FIRESTORE_EMULATOR_HOST: firestoreEmulator.endpoint,
      METADATA_SERVER_DETECTION: "none",
      REDIS_HOST: redisServer.host,
      REDIS_PORT: String(redisServer.port),
      MEDIA_DIR: mediaDir,
      ANALYTICS_NDJSON_DIR: rowsDir,
      ...uploads.env,
    };

    // Ports first, so every service knows every other service's URL (AVALO_URL_<SERVICE>).
    const services: ServiceProcess[] = [];
    const urls: Record<string, string> = {};
    const ports = new Map<string, number>();
    // freePort releases the port it found, so two calls can return the same one: keep them apart.
    const taken = new Set([pubsubEmulator.port, firestoreEmulator.port, redisServer.port]);
    for (const bundle of bundles) {
      let port = await freePort();
      while (taken.has(port)) port = await freePort();
      taken.add(port);
      ports.set(bundle.service, port);
      urls[serviceUrlVariable(bundle.service)] = `http://127.0.0.1:${ports.get(bundle.service)}`;
    }
    stack.push(async () => {
      await Promise.all(services.map((s) => s.stop()));
    });
    for (const bundle of bundles) {
      services.push(startService(bundle, { ...baseEnv, ...urls }, ports.get(bundle.service)!));
    }
    const pubsub = new PubSub({ projectId: LOCAL_PROJECT });
    stack.push(() => pubsub.close());
    const redis = connectRedis({ host: redisServer.host, port: redisServer.port });
    stack.push(async () => redis.disconnect());
    await initSharding();
    const db = getFirestore({ projectId: LOCAL_PROJECT });
    const metrics = new PipelineMetrics();
    const publisher = new PipelinePublisher({
      pubsub,
      region: options.region,
      logger: silentLogger,
      metrics,
    });
    const host = await startPipelineHost({
      pubsub,
      db,
      redis,
      publisher,
      region: options.region,
      metrics,
      rowsDir,
      pipelines: PIPELINES,
    });
    stack.push(() => host.close());

    const timeout = options.healthTimeoutMillis ?? 180_000;
    await Promise.all(services.map((s) => waitHealthy(s, timeout)));
    log(`${services.length} services healthy after ${Date.now() - started} ms`);

    const byName = new Map(services.map((s) => [s.service, s]));
    const targets = new Map<string, Pick<PipelineRoute, "endpoint" | "via">>();
    for (const spec of PIPELINES) {
      const consumer = byName.get(spec.consumer);
      targets.set(
        spec.name,
        consumer && (await mountsPush(consumer.url))
          ? { endpoint: `${consumer.url}/pubsub/push`, via: "bundle" }
          : { endpoint: host.endpoint(spec.name), via: "host" },
      );
    }
    const provisioned = await provisionPipelines(pubsub, {
      regions: [options.region],
      pushEndpoints: (spec) => targets.get(spec.name)?.endpoint,
      maxBackoffSeconds: LOCAL_MAX_BACKOFF_SECONDS,
    });
    const routes: PipelineRoute[] = provisioned.map((names) => ({
      spec: names.spec,
      names,
      consumer: names.spec.consumer,
      ...targets.get(names.spec.name)!,
    }));
    // A second subscription on every dead-letter topic counts dead letters for the status table
    // and leaves the hold subscription untouched for `avalo dlq`.
    const deadLettered = new Map<string, number>();
    for (const names of provisioned) {
      const id = `${names.deadLetterTopic}-local-status`;
      await pubsub
        .topic(names.deadLetterTopic)
        .createSubscription(id)
        .catch((err: { code?: number }) => {
          if (err.code !== 6) throw err;
        });
      const sub = pubsub.subscription(id);
      sub.on("message", (m: { ack(): void }) => {
        deadLettered.set(names.spec.name, (deadLettered.get(names.spec.name) ?? 0) + 1);
        m.ack();
      });
      sub.on("error", () => undefined);
      stack.push(() => sub.close());
    }
    const startupMillis = Date.now() - started;
    log(`${provisioned.length} pipelines provisioned; all healthy in ${startupMillis} ms`);

    let stopping: Promise<void> | undefined;
    return {
      region: options.region,
      pubsub,
      db,
      redis,
      publisher,
      metrics,
      emulators: { pubsub: pubsubEmulator, firestore: firestoreEmulator },
      redisServer,
      services,
      host,
      routes,
      deadLettered,
      mediaDir,
      rowsDir,
      startupMillis,
      pids: [
        pubsubEmulator.pid,
        firestoreEmulator.pid,
        redisServer.pid,
        ...services.map((s) => s.pid),
      ],
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
