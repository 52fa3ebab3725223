/**
 * Defaults of the deployment components (RuntimeBundle, Service), in one place. Units are in the
 * names. Resources, timeouts and max instances come from the service table, never from here.
 */

/** Bundle bucket. */
export const BUNDLES = {
  /** Replaced bundle objects stay restorable (rollback) this long. */
  noncurrentRetentionDays: 30,
} as const;

/** Cloud Run v2, deployed from source through `buildConfig` (Cloud Run functions build path). */
export const CLOUD_RUN = {
  /** Image the service is created with; the build replaces it, so its changes are ignored. */
  placeholderImage: "us-docker.pkg.dev/cloudrun/container/hello",
  /** Node.js 22 base image of Google's serverless runtimes, pulled from the service's region. */
  baseImage: (gcpRegion: string): string =>
    `${gcpRegion}-docker.pkg.dev/serverless-runtimes/google-22-full/runtimes/nodejs22`,
  containerPort: 8080,
  healthPath: "/healthz",
  startupProbe: { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 24 },
  livenessProbe: { periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
  /** Tag of the revision that receives a partial rollout (`https://canary---<host>`). */
  canaryTag: "canary",
  /** Tag of the revision that keeps the rest of the traffic during a rollout. */
  stableTag: "stable",
} as const;

/** Cloud Run limits the Service component checks the service table against. */
export const CLOUD_RUN_LIMITS = {
  memoryMiB: { min: 512, max: 32_768 },
  timeoutSeconds: { min: 1, max: 3_600 },
  concurrency: { min: 1, max: 1_000 },
  maxInstances: { min: 1, max: 1_000 },
  rolloutPercent: { min: 1, max: 100 },
  cpus: [1, 2, 4, 6, 8],
  /** Minimum vCPUs for memory above each bound (MiB). */
  minCpuForMemory: [
    { aboveMiB: 24_576, cpu: 8 },
    { aboveMiB: 16_384, cpu: 6 },
    { aboveMiB: 8_192, cpu: 4 },
    { aboveMiB: 4_096, cpu: 2 },
  ],
} as const;
