import type * as gcp from "@pulumi/gcp";
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
}

/**
 * Inputs of a private bucket: uniform access, public access prevention enforced, versioning,
 * no force-destroy, CMEK, and non-current versions deleted after a retention period.
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
    ...(settings.kmsKeyName ? { encryption: { defaultKmsKeyName: settings.kmsKeyName } } : {}),
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
  };
}
