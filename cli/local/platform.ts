import { randomBytes } from "node:crypto";
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
import { getService } from "../../runtime/catalog/services";
import { serviceEnvironment, serviceSecrets } from "../../runtime/services/container";
import { initSharding } from "../../runtime/sharding";
import type { RegionId } from "../../runtime/topology";
import { prepareBundles } from "./bundles";
import type { PlannedContainer } from "./planned";
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
const LOCAL_MAX_BACKOFF_SECONDS = 10;

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
  /**
   * Run exactly what a plan deploys (`plannedContainers`): its archives, command, args and
   * variable names, with local values. @default the fresh bundles under `SERVICE_CONTAINER`
   */
  readonly containers?: readonly PlannedContainer[];
}

/**
 * Cloud Run variables whose local counterpart has another name or none, because this machine
 * has no Cloud Storage, BigQuery or Vertex AI: a directory stands in for the media bucket and
 * for the dataset, and the stub model needs no location.
 */
const LOCAL_STAND_INS: Readonly<Record<string, string | null>> = {
  MEDIA_BUCKET: "MEDIA_DIR",
  ANALYTICS_DATASET: "ANALYTICS_NDJSON_DIR",
  AI_VERTEX_LOCATION: null,
};

/**
 * Variables only the local platform sets: the form upload endpoint that checks policies as
 * Cloud Storage does (there is no Cloud Storage here), and the per-run key media-processor signs
 * policies with (there is no IAM signBlob here).
 */
export const LOCAL_ONLY_VARIABLES: readonly string[] = [
  "MEDIA_UPLOAD_URL",
  "MEDIA_UPLOAD_SIGNER_KEY_FILE",
];

/**
 * Checks that a service's local variables are the plan's (plain and secret), but for
 * {@link LOCAL_STAND_INS} and {@link LOCAL_ONLY_VARIABLES}; throws naming the differences.
 */
function checkPlannedNames(container: PlannedContainer, local: Record<string, string>): void {
  const expected = new Set<string>();
  for (const name of [...Object.keys(container.env), ...container.secretNames]) {
    const standIn = name in LOCAL_STAND_INS ? LOCAL_STAND_INS[name] : name;
    if (standIn) expected.add(standIn);
  }
  const actual = new Set(Object.keys(local).filter((n) => !LOCAL_ONLY_VARIABLES.includes(n)));
  const missing = [...expected].filter((n) => !actual.has(n));
  const extra = [...actual].filter((n) => !expected.has(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `${container.service}: the local environment differs from the plan's; ` +
        `missing locally: ${missing.join(", ") || "none"}; not in the plan: ${extra.join(", ") || "none"}`,
    );
  }
}

/** Where a pipeline's push subscription delivers: its consumer service's `/pubsub/push`. */
export interface PipelineRoute {
  readonly spec: PipelineSpec;
  readonly names: ProvisionedPipeline;
  /** The consumer service from the catalog. */
  readonly consumer: string;
  readonly endpoint: string;
}

export interface Platform {
  readonly region: RegionId;
  readonly pubsub: PubSub;
  readonly db: Firestore;
  readonly redis: Redis;
  readonly publisher: PipelinePublisher;
  readonly emulators: { readonly pubsub: LocalProcess; readonly firestore: LocalProcess };
  readonly redisServer: LocalProcess;
  /** AUTH password of the local Redis (Memorystore has AUTH on too). */
  readonly redisPassword: string;
  readonly services: readonly ServiceProcess[];
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

    // Memorystore has AUTH on; so has the local Redis, with a password of this run.
    const redisPassword = randomBytes(18).toString("base64url");
    const [prepared, pubsubEmulator, firestoreEmulator, redisServer] = await Promise.all([
      prepareBundles(
        options.rootDir,
        options.containers?.map((c) => c.archive),
      ),
      startPubSubEmulator(LOCAL_PROJECT).then((p) => (stack.push(() => p.stop()), p)),
      startFirestoreEmulator().then((p) => (stack.push(() => p.stop()), p)),
      startRedis({ appendOnly: true, password: redisPassword }).then(
        (p) => (stack.push(() => p.stop()), p),
      ),
    ]);
    const { bundles } = prepared;
    log(`bundles ${prepared.rebuilt ? "rebuilt" : "reused from cache"} in ${prepared.millis} ms`);
    log(
      `emulators and redis-server up in ${Date.now() - started} ms (pubsub ${pubsubEmulator.endpoint}, firestore ${firestoreEmulator.endpoint}, redis ${redisServer.endpoint})`,
    );

    const uploads = await startLocalUploads(runDir, mediaDir);
    stack.push(() => uploads.endpoint.stop());
    // The Google clients of this process find the emulators through these variables; stopping
    // the platform puts back what was there, so later clients do not dial stopped emulators.
    const emulatorEnv = {
      PUBSUB_EMULATOR_HOST: pubsubEmulator.endpoint,
      FIRESTORE_EMULATOR_HOST: firestoreEmulator.endpoint,
      METADATA_SERVER_DETECTION: "none",
    };
    const previousEnv = Object.fromEntries(
      Object.keys(emulatorEnv).map((k) => [k, process.env[k]]),
    );
    Object.assign(process.env, emulatorEnv);
    stack.push(async () => {
      for (const [key, value] of Object.entries(previousEnv)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });
    // What the host, not the platform, provides: the same on every service.
    const processEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      PUBSUB_EMULATOR_HOST: pubsubEmulator.endpoint,
      FIRESTORE_EMULATOR_HOST: firestoreEmulator.endpoint,
      METADATA_SERVER_DETECTION: "none",
    };

    // Ports first, so every service knows the URL of every service it calls.
    const services: ServiceProcess[] = [];
    const ports = new Map<string, number>();
    // freePort releases the port it found, so two calls can return the same one: keep them apart.
    const taken = new Set([pubsubEmulator.port, firestoreEmulator.port, redisServer.port]);
    for (const bundle of bundles) {
      let port = await freePort();
      while (taken.has(port)) port = await freePort();
      taken.add(port);
      ports.set(bundle.service, port);
    }
    stack.push(async () => {
      await Promise.all(services.map((s) => s.stop()));
    });
    for (const bundle of bundles) {
      const env = localServiceEnvironment(bundle.service, {
        region: options.region,
        urlOf: (service) => `http://127.0.0.1:${ports.get(service)}`,
        redis: { host: redisServer.host, port: redisServer.port, password: redisPassword },
        mediaDir,
        rowsDir,
        uploads: {
          bucket: String(uploads.env.MEDIA_UPLOAD_BUCKET),
          url: String(uploads.env.MEDIA_UPLOAD_URL),
          signerKeyFile: String(uploads.env.MEDIA_UPLOAD_SIGNER_KEY_FILE),
        },
      });
      const planned = options.containers?.find((c) => c.service === bundle.service);
      if (planned) checkPlannedNames(planned, env);
      services.push(
        startService(bundle, { ...processEnv, ...env }, ports.get(bundle.service)!, planned),
      );
    }
    const pubsub = new PubSub({ projectId: LOCAL_PROJECT });
    stack.push(() => pubsub.close());
    const redis = connectRedis({
      host: redisServer.host,
      port: redisServer.port,
      password: redisPassword,
    });
    stack.push(async () => redis.disconnect());
    await initSharding();
    const db = getFirestore({ projectId: LOCAL_PROJECT });
    const publisher = new PipelinePublisher({
      pubsub,
      region: options.region,
      logger: silentLogger,
      metrics: new PipelineMetrics(),
    });
    const timeout = options.healthTimeoutMillis ?? 180_000;
    await Promise.all(services.map((s) => waitHealthy(s, timeout)));
    log(`${services.length} services healthy after ${Date.now() - started} ms`);

    const endpoints = pushEndpoints(services);
    const provisioned = await provisionPipelines(pubsub, {
      regions: [options.region],
      pushEndpoints: (spec) => endpoints.get(spec.name),
      maxBackoffSeconds: LOCAL_MAX_BACKOFF_SECONDS,
    });
    const routes: PipelineRoute[] = provisioned.map((names) => ({
      spec: names.spec,
      names,
      consumer: names.spec.consumer,
      endpoint: endpoints.get(names.spec.name)!,
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
      emulators: { pubsub: pubsubEmulator, firestore: firestoreEmulator },
      redisServer,
      redisPassword,
      services,
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

/**
 * Each catalog pipeline's push endpoint: its consumer's own `/pubsub/push`, as on Cloud Run.
 * Throws naming the pipelines whose consumer is not among the started services.
 */
function pushEndpoints(services: readonly ServiceProcess[]): Map<string, string> {
  const byName = new Map(services.map((s) => [s.service, s]));
  const missing = PIPELINES.filter((spec) => !byName.has(spec.consumer));
  if (missing.length > 0) {
    throw new Error(
      `no local service consumes ${missing.map((s) => `${s.name} (consumer ${s.consumer})`).join(", ")}; ` +
        "every pipeline's consumer must be one of the bundled services",
    );
  }
  return new Map(
    PIPELINES.map((spec) => [spec.name, `${byName.get(spec.consumer)!.url}/pubsub/push`]),
  );
}

/** The local endpoints a service's environment points at. */
export interface LocalEndpoints {
  readonly region: RegionId;
  readonly urlOf: (service: string) => string;
  readonly redis: { readonly host: string; readonly port: number; readonly password: string };
  readonly mediaDir: string;
  readonly rowsDir: string;
  /** The local upload endpoint, its bucket name and the key media-processor signs with. */
  readonly uploads: {
    readonly bucket: string;
    readonly url: string;
    readonly signerKeyFile: string;
  };
}

/**
 * A service's environment on this machine: the variables `serviceEnvironment` names for Cloud
 * Run, with local values (no OIDC, no TLS on the loopback Redis, a directory for the media
 * bucket and for the BigQuery dataset, the stub AI model, recorded pushes), plus its secrets.
 */
function localServiceEnvironment(
  service: string,
  endpoints: LocalEndpoints,
): Record<string, string> {
  const spec = getService(service);
  const env = serviceEnvironment<string>(spec, {
    region: endpoints.region,
    geography: "local",
    environment: "dev",
    project: LOCAL_PROJECT,
    auth: "local",
    serviceUrl: endpoints.urlOf,
    redis: { host: endpoints.redis.host, port: String(endpoints.redis.port), tls: false },
    pushInvoker: (pipeline) => `${pipeline}-invoker@${LOCAL_PROJECT}.iam.gserviceaccount.com`,
    analytics: { ndjsonDir: endpoints.rowsDir },
    media: { dir: endpoints.mediaDir },
    uploads: endpoints.uploads,
    ai: "local",
    notifications: "recorded",
  });
  // The CA secret is empty: the loopback Redis speaks plain TCP (REDIS_TLS=false).
  return {
    ...env,
    ...serviceSecrets(spec, { REDIS_PASSWORD: endpoints.redis.password, REDIS_TLS_CA: "" }),
  };
}
