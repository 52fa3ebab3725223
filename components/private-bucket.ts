import * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";

/** What differs between Avalo's buckets; everything else is the same private baseline. */
export interface PrivateBucketSettings {
  readonly project: string;
  /** Physical bucket name (built with gcpName). */
  readonly name: string;
  /** GCP region inside the geography. */
  readonly location: string;
  /** CMEK for the objects (a key in the bucket's location). @default Google-managed */
  readonly kmsKeyName?: pulumi.Input<string>;
  /** Days a replaced or deleted object version is kept before it is removed. */
  readonly noncurrentRetentionDays: number;
  readonly labels: Record<string, string>;
  /**
   * Bucket that receives this bucket's usage (access) logs; a log bucket itself has none.
   * @default no access logging
   */
  readonly logBucket?: pulumi.Input<string>;
  /** CORS rules, for a bucket that browsers post to. @default none */
  readonly cors?: gcp.storage.BucketArgs["cors"];
}

const DAY_SECONDS = 86_400;

/**
 * Soft-delete window of every bucket: 7 days, Cloud Storage's default, set explicitly so the
 * policy pack can check it (bucket-soft-delete-retention asks for at least 7 days). Longer would
 * bill deleted objects longer; versioning already keeps replaced objects.
 */
const SOFT_DELETE_RETENTION_SECONDS = 7 * DAY_SECONDS;

/** Days usage logs are kept: a little over a year, as the audit trail. */
const ACCESS_LOG_RETENTION_DAYS = 400;

/** Google's group that writes Cloud Storage usage logs into a log bucket. */
const STORAGE_ANALYTICS_WRITER = "group:cloud-storage-analytics@google.com";

/**
 * Inputs of a private bucket: uniform access, public access prevention enforced, versioning,
 * no force-destroy, CMEK, a 7-day soft delete, non-current versions deleted after a retention
 * period, and usage logs to `logBucket` when given.
 */
export function privateBucketArgs(settings: PrivateBucketSettings): gcp.storage.BucketArgs {
  return {
    project: settings.project,
    name: settings.name,
    location: settings.location,
    storageClass: "STANDARD",
    uniformBucketLevelAccess: true,
    publicAccessPrevention: "enforced",
    versioning: { enabled: true },
    forceDestroy: false,
    softDeletePolicy: { retentionDurationSeconds: SOFT_DELETE_RETENTION_SECONDS },
    ...(settings.kmsKeyName ? { encryption: { defaultKmsKeyName: settings.kmsKeyName } } : {}),
    ...(settings.logBucket
      ? { logging: { logBucket: settings.logBucket, logObjectPrefix: settings.name } }
      : {}),
    lifecycleRules: [
      {
        action: { type: "Delete" },
        condition: {
          daysSinceNoncurrentTime: settings.noncurrentRetentionDays,
          withState: "ARCHIVED",
        },
      },
    ],
    labels: settings.labels,
    ...(settings.cors ? { cors: settings.cors } : {}),
  };
}

/**
 * A private bucket that logs its usage to its own access-log bucket (`<name>-logs`, beside it,
 * same key and region). The log bucket is not logged itself (a log bucket that logs would log
 * its own writes); it keeps logs {@link ACCESS_LOG_RETENTION_DAYS} days, and only Google's
 * storage-analytics group may create objects in it. Both buckets are children of `opts.parent`.
 */
export function privateBucket(
  name: string,
  settings: PrivateBucketSettings,
  opts: pulumi.CustomResourceOptions,
): gcp.storage.Bucket {
  const logs = new gcp.storage.Bucket(
    `${name}-access-logs`,
    {
      ...privateBucketArgs({
        ...settings,
        name: `${settings.name}-logs`,
        labels: { ...settings.labels, purpose: "access-logs" },
        logBucket: undefined,
        cors: undefined,
      }),
      lifecycleRules: [
        { action: { type: "Delete" }, condition: { age: ACCESS_LOG_RETENTION_DAYS } },
        {
          action: { type: "Delete" },
          condition: {
            daysSinceNoncurrentTime: settings.noncurrentRetentionDays,
            withState: "ARCHIVED",
          },
        },
      ],
    },
    opts,
  );
  const writer = new gcp.storage.BucketIAMMember(
    `${name}-access-logs-writer`,
    { bucket: logs.name, role: "roles/storage.objectCreator", member: STORAGE_ANALYTICS_WRITER },
    opts,
  );
  return new gcp.storage.Bucket(
    name,
    privateBucketArgs({ ...settings, logBucket: writer.bucket }),
    opts,
  );
}
