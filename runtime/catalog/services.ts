import type { PipelineName, ServiceName } from "./names";

/**
 * The Cloud Run service table: every service Avalo runs, with its resources and limits. Read by
 * the Service component, the service clients (per-call timeouts) and the policies.
 */

/**
 * Platform resources a service may use beyond its Firestore database and its pipelines. The
 * Geography grants and configures each one for exactly the services that name it:
 * - `redis`: its region's Memorystore cache, over TLS with AUTH (`REDIS_HOST`, `REDIS_PORT`,
 *   `REDIS_TLS`, and the AUTH string and CA certificate from Secret Manager);
 * - `analytics-dataset`: writes rows to the geography's BigQuery dataset (`ANALYTICS_DATASET`);
 * - `media-bucket`: reads uploads and writes thumbnails in the media bucket (`MEDIA_BUCKET`);
 * - `vertex-ai`: calls Vertex AI models in its own region (`AI_PROVIDER=vertex`);
 * - `fcm`: sends pushes through Firebase Cloud Messaging (`NOTIFICATION_PUSH_PROVIDER=fcm`);
 * - `media-uploads`: signs upload policies for the media bucket as itself (IAM signBlob on its
 *   own service account only).
 */
export const SERVICE_RESOURCES = [
  "redis",
  "analytics-dataset",
  "media-bucket",
  "vertex-ai",
  "fcm",
  "media-uploads",
] as const;
export type ServiceResource = (typeof SERVICE_RESOURCES)[number];

export interface ServiceSpec {
  readonly name: ServiceName;
  readonly description: string;
  /** Memory limit in MiB (Cloud Run allows 512 MiB – 32 GiB; above 4 GiB needs ≥ 2 vCPU). */
  readonly memoryMiB: number;
  /** vCPUs per instance. */
  readonly cpu: number;
  /** Request timeout in seconds (Cloud Run allows 1–3600). */
  readonly timeoutSeconds: number;
  /** Maximum instances per region. */
  readonly maxInstances: number;
  /** Concurrent requests per instance. */
  readonly concurrency: number;
  /** `heavy` services come from the scale report; `worker`s only consume a pipeline. */
  readonly kind: "heavy" | "worker";
  /**
   * Pipelines this service publishes to: its pipeline handler's `PUBLISHES` and those its routes
   * declare (checked by test/runtime/catalog/services.test.ts); the program grants
   * `roles/pubsub.publisher` on exactly these topics (their ids come from the pipeline catalog).
   */
  readonly publishes: readonly PipelineName[];
  /** Platform resources it uses (see {@link SERVICE_RESOURCES}); granted on exactly these. */
  readonly uses: readonly ServiceResource[];
}

const worker = { cpu: 1, concurrency: 80, kind: "worker", uses: ["redis"] } as const;

/** Every service, in the order of `SERVICE_NAMES` (names.ts). */
export const SERVICES: readonly ServiceSpec[] = [
  {
    name: "media-processor",
    description: "Image thumbnails and media jobs",
    memoryMiB: 4096,
    cpu: 2,
    timeoutSeconds: 300,
    maxInstances: 30,
    concurrency: 8,
    kind: "heavy",
    publishes: ["media-transcode"],
    uses: ["media-bucket", "media-uploads"],
  },
  {
    name: "ai-inference",
    description: "AI companion generation behind a provider interface",
    memoryMiB: 8192,
    cpu: 2,
    timeoutSeconds: 120,
    maxInstances: 50,
    concurrency: 20,
    kind: "heavy",
    publishes: ["notification-batch"],
    uses: ["redis", "vertex-ai"],
  },
  {
    name: "pdf-generator",
    description: "Wallet receipts and monthly statements",
    memoryMiB: 2048,
    cpu: 1,
    timeoutSeconds: 60,
    maxInstances: 20,
    concurrency: 20,
    kind: "heavy",
    publishes: [],
    uses: [],
  },
  {
    name: "fraud-analyzer",
    description: "Explainable risk scoring of payments",
    memoryMiB: 4096,
    cpu: 1,
    timeoutSeconds: 30,
    maxInstances: 50,
    concurrency: 80,
    kind: "heavy",
    publishes: ["notification-batch", "analytics-aggregation"],
    uses: ["redis"],
  },
  {
    name: "batch-processor",
    description: "Bulk jobs: backfills, resharding, data export and deletion",
    memoryMiB: 4096,
    cpu: 2,
    timeoutSeconds: 600,
    maxInstances: 10,
    concurrency: 4,
    kind: "heavy",
    publishes: [],
    uses: [],
  },
  {
    name: "ranking-engine",
    description: "Personalised discovery ranking",
    memoryMiB: 2048,
    cpu: 1,
    timeoutSeconds: 45,
    maxInstances: 100,
    concurrency: 80,
    kind: "heavy",
    publishes: [],
    uses: ["redis"],
  },
  {
    name: "analytics-aggregator",
    description: "Hourly analytics roll-ups and warehouse sync",
    memoryMiB: 4096,
    cpu: 1,
    timeoutSeconds: 180,
    maxInstances: 20,
    concurrency: 40,
    kind: "heavy",
    publishes: [],
    uses: ["analytics-dataset"],
  },
  {
    name: "user-worker",
    description: "Consumes avalo-user-created",
    memoryMiB: 512,
    timeoutSeconds: 60,
    maxInstances: 100,
    ...worker,
    publishes: ["analytics-aggregation"],
  },
  {
    name: "match-worker",
    description: "Consumes avalo-match-created",
    memoryMiB: 512,
    timeoutSeconds: 60,
    maxInstances: 100,
    ...worker,
    publishes: ["notification-batch"],
  },
  {
    name: "feed-worker",
    description: "Consumes avalo-feed-fanout",
    memoryMiB: 1024,
    timeoutSeconds: 120,
    maxInstances: 200,
    ...worker,
    publishes: ["feed-fanout"],
  },
  {
    name: "notification-worker",
    description: "Consumes avalo-notification-batch",
    memoryMiB: 512,
    timeoutSeconds: 60,
    maxInstances: 100,
    ...worker,
    publishes: [],
    uses: ["redis", "fcm"],
  },
];

export type { ServiceName } from "./names";

/** A record with one value per service of the table, in table order. */
export function perService<T>(value: (spec: ServiceSpec) => T): Record<ServiceName, T> {
  return Object.fromEntries(SERVICES.map((spec) => [spec.name, value(spec)])) as Record<
    ServiceName,
    T
  >;
}

/** The service table entry for a name; throws with the allowed names for an unknown one. */
export function getService(name: string): ServiceSpec {
  const found = SERVICES.find((s) => s.name === name);
  if (!found) {
    throw new Error(
      `unknown service "${name}"; allowed: ${SERVICES.map((s) => s.name).join(", ")}`,
    );
  }
  return found;
}
