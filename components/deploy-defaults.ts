/**
 * Defaults of the deployment components (RuntimeBundle, Service), in one place. Units are in the
 * names. Resources, timeouts and max instances come from the service table, never from here; Cloud
 * Run's limits are CLOUD_RUN_LIMITS in runtime/catalog/limits.ts.
 */

/** Bundle bucket. */
export const BUNDLES = {
  /** Replaced bundle objects stay restorable (rollback) this long. */
  noncurrentRetentionDays: 30,
} as const;

/**
 * Cloud Run v2 services, deployed from their bundle archives without a build. How the container
 * starts (command, args, port, health path, base image) is `SERVICE_CONTAINER` in
 * runtime/services/container.ts, which the local platform reads too.
 */
export const CLOUD_RUN = {
  /** The image of a no-build source deploy: the archive is layered on `baseImageUri` instead. */
  sourceDeployImage: "scratch",
  /** Launch stage that admits the Preview no-build source deploy. */
  launchStage: "BETA",
  startupProbe: { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 24 },
  livenessProbe: { periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
  /** Tag of the revision that receives a partial rollout (`https://canary---<host>`). */
  canaryTag: "canary",
  /** Tag of the revision that keeps the rest of the traffic during a rollout. */
  stableTag: "stable",
} as const;
