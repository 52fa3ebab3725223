/**
 * Defaults of the infrastructure components, in one place. Units are in the names. Values that
 * come from the pipeline catalog, the service table or the topology are never restated here, nor
 * are the cloud's limits (runtime/catalog/limits.ts).
 */

/** Seconds in a day, for durations GCP takes in seconds. */
export const DAY_SECONDS = 86_400;

/** Project services the platform uses; Apis enables them all before anything else is created. */
export const REQUIRED_APIS = [
  "aiplatform.googleapis.com",
  "artifactregistry.googleapis.com",
  "bigquery.googleapis.com",
  "cloudkms.googleapis.com",
  "cloudresourcemanager.googleapis.com",
  "compute.googleapis.com",
  "fcm.googleapis.com",
  "firebase.googleapis.com",
  "firebaseappcheck.googleapis.com",
  "firebaserules.googleapis.com",
  "firestore.googleapis.com",
  "iam.googleapis.com",
  "logging.googleapis.com",
  "monitoring.googleapis.com",
  "pubsub.googleapis.com",
  "recaptchaenterprise.googleapis.com",
  "redis.googleapis.com",
  "run.googleapis.com",
  "secretmanager.googleapis.com",
  "servicenetworking.googleapis.com",
  "serviceusage.googleapis.com",
  "storage.googleapis.com",
] as const;

/** Artifact Registry cleanup: keep the newest versions of each image, delete the rest when old. */
export const ARTIFACTS = { keepNewestVersions: 10, deleteAfterDays: 30 } as const;

/** KMS: rotate every 90 days. */
export const KEY_ROTATION_PERIOD = `${90 * DAY_SECONDS}s`;

/** Dead-letter hold subscription: keep messages for inspection and replay for 7 days. */
export const DEAD_LETTER_RETENTION_SECONDS = 7 * DAY_SECONDS;

/** Network: one subnet per region, indexed by the region's position in the geography. */
export const NETWORK = {
  /** Primary range of the i-th region's subnet; /18 leaves room for Direct VPC egress. */
  subnetCidr: (index: number): string => `10.${index * 64}.0.0/18`,
  /** Private service access range (Memorystore and other producer services). */
  privateServiceAccessAddress: "10.240.0.0",
  privateServiceAccessPrefixLength: 16,
} as const;

/** Memorystore for Redis. */
export const REDIS = {
  /** Within MEMORYSTORE_LIMITS.memorySizeGb (runtime/catalog/limits.ts). */
  memorySizeGb: 5,
  redisVersion: "REDIS_7_2",
  /** Weekly maintenance window start (UTC): quiet hours for every geography we serve. */
  maintenanceDay: "SUNDAY",
  maintenanceHourUtc: 3,
  rdbSnapshotPeriod: "TWELVE_HOURS",
} as const;

/** Alert thresholds of Monitoring. */
export const ALERTS = {
  /** Oldest unacked message on a push subscription before paging. */
  oldestUnackedAgeSeconds: 900,
  /** Share of Cloud Run requests answered 5xx. */
  serverErrorRatio: 0.05,
  /** Cloud Run request latency, 95th percentile. */
  latencyP95Millis: 2_000,
  /** Redis used memory / max memory. */
  redisMemoryRatio: 0.8,
  /** How long a condition must hold before the policy fires. */
  durationSeconds: 300,
  /** Alignment period of conditions and dashboard charts. */
  alignmentPeriodSeconds: 60,
  /** An incident with no new data closes itself after this long. */
  autoCloseSeconds: 1_800,
} as const;

/** Pub/Sub push: path the consumer serves pushes on; the OIDC audience is the service URL. */
export const PUSH_PATH = "/pubsub/push";

/**
 * KMS: a destroyed key version stays restorable for 30 days, GCP's default. The policy pack asks
 * for 30–120 days (kms-key-destroy-window); 30 keeps a month to undo a mistaken destroy while
 * bounding how long data meant to be crypto-shredded stays recoverable.
 */
export const KEY_DESTROY_SCHEDULED_DURATION = `${30 * DAY_SECONDS}s`;

/** Firestore: daily backups kept for 7 days, on top of point-in-time recovery. */
export const FIRESTORE_BACKUP_RETENTION_SECONDS = 7 * DAY_SECONDS;

/** Services whose Data Access audit logs (admin read, data read, data write) are enabled. */
export const DATA_ACCESS_AUDITED_SERVICES = [
  "firestore.googleapis.com",
  "pubsub.googleapis.com",
  "bigquery.googleapis.com",
  "secretmanager.googleapis.com",
] as const;
