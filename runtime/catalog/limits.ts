/**
 * The limits Google Cloud imposes on what the platform declares, as plain data, each written once.
 * Stack config (stacks/config.ts), component validation (components/), the policies
 * (policies/rules/) and local provisioning read them from here. Units are in the names.
 */

/** Seconds in a day. */
const DAY_SECONDS = 86_400;

/** An inclusive range of integers. */
export interface IntRange {
  readonly min: number;
  readonly max: number;
}

/** Pub/Sub subscription limits. */
export const PUBSUB_LIMITS = {
  /** Ack deadline of a subscription. */
  ackDeadlineSeconds: { min: 10, max: 600 },
  /** Deliveries before a message goes to the dead-letter topic. */
  maxDeliveryAttempts: { min: 5, max: 100 },
  /** Either bound of a subscription's exponential retry backoff. */
  backoffSeconds: { min: 0, max: 600 },
  /** Retention of unacked messages on a subscription (10 minutes to 7 days). */
  messageRetentionSeconds: { min: 600, max: 7 * DAY_SECONDS },
} as const satisfies Record<string, IntRange>;

/** Cloud Run (services and jobs) limits. */
export const CLOUD_RUN_LIMITS = {
  memoryMiB: { min: 512, max: 32_768 },
  timeoutSeconds: { min: 1, max: 3_600 },
  /** Concurrent requests per instance. */
  concurrency: { min: 1, max: 1_000 },
  /** Max instances per region of a service. */
  maxInstances: { min: 1, max: 1_000 },
  /** Share of traffic a revision can take. */
  rolloutPercent: { min: 1, max: 100 },
  /** vCPUs an instance can have. */
  cpus: [1, 2, 4, 6, 8],
  /** Minimum vCPUs for memory above each bound (MiB), largest bound first. */
  minCpuForMemory: [
    { aboveMiB: 24_576, cpu: 8 },
    { aboveMiB: 16_384, cpu: 6 },
    { aboveMiB: 8_192, cpu: 4 },
    { aboveMiB: 4_096, cpu: 2 },
  ],
} as const;

/** The fewest vCPUs Cloud Run allows for `memoryMiB` of memory (1 up to 4 GiB). */
export function minCpuForMemory(memoryMiB: number): number {
  return CLOUD_RUN_LIMITS.minCpuForMemory.find((m) => memoryMiB > m.aboveMiB)?.cpu ?? 1;
}

/** Memorystore for Redis limits (Standard tier). */
export const MEMORYSTORE_LIMITS = {
  memorySizeGb: { min: 1, max: 300 },
} as const satisfies Record<string, IntRange>;

/**
 * Whether stateful resources (keys, caches, tables, secrets) refuse deletion, per environment,
 * when the stack's config does not say (`avalo:deletionProtection`).
 */
export const DELETION_PROTECTION = { prod: true, staging: false, dev: false } as const;

/** A GCP project id: the pattern and what it allows in words. */
export const PROJECT_ID = {
  pattern: /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/,
  rule: "6–30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen",
} as const;

/** GCP's rule for the names of one kind of resource. */
export interface NameRule {
  /** Maximum length GCP accepts. */
  readonly max: number;
  /** Minimum length GCP accepts. */
  readonly min: number;
  /** Pattern the full name must match. */
  readonly pattern: RegExp;
  /** Separator between parts ("-" for most kinds, "_" for BigQuery). */
  readonly separator: "-" | "_";
}

const dashed = (min: number, max: number): NameRule => ({
  min,
  max,
  pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
  separator: "-",
});

/** GCP's naming rules per kind of resource, as documented for each API. */
export const NAME_RULES = {
  /** Service account id (the part before `@`): 6–30 characters. */
  serviceAccount: dashed(6, 30),
  /** Cloud Run service: up to 49 characters. */
  cloudRunService: dashed(1, 49),
  /** Pub/Sub topic or subscription id: 3–255 characters, starting with a letter. */
  pubsub: { min: 3, max: 255, pattern: /^[a-zA-Z][-a-zA-Z0-9_.~+%]*$/, separator: "-" },
  /** Memorystore for Redis instance id: 1–40 characters. */
  redisInstance: dashed(1, 40),
  /** VPC network or subnetwork, global address, firewall: 1–63 characters. */
  compute: dashed(1, 63),
  /** KMS key ring or crypto key: 1–63 characters of letters, digits, `-` and `_`. */
  kms: { min: 1, max: 63, pattern: /^[a-zA-Z0-9_-]+$/, separator: "-" },
  /** Secret Manager secret id: 1–255 characters of letters, digits, `-` and `_`. */
  secret: { min: 1, max: 255, pattern: /^[a-zA-Z0-9_-]+$/, separator: "-" },
  /** Cloud Storage bucket: 3–63 characters. */
  bucket: { min: 3, max: 63, pattern: /^[a-z0-9][-a-z0-9_.]*[a-z0-9]$/, separator: "-" },
  /** BigQuery dataset or table id: letters, digits and underscores, up to 1024. */
  bigquery: { min: 1, max: 1024, pattern: /^[a-zA-Z0-9_]+$/, separator: "_" },
  /** Artifact Registry repository id: 1–63 lower-case letters, digits and dashes. */
  artifactRepository: dashed(1, 63),
  /** Logging sink, monitoring and other names: up to 100 characters. */
  generic: dashed(1, 100),
} as const satisfies Record<string, NameRule>;

/** A kind of resource with a naming rule. */
export type NameKind = keyof typeof NAME_RULES;
