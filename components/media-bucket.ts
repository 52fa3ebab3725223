import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { platformLabels } from "./labels";
import { gcpName } from "./naming";
import { privateBucket } from "./private-bucket";
import { checkOneOf, checkPlatformArgs, checkRange } from "./validation";

/** Arguments of {@link MediaBucket}. */
export interface MediaBucketArgs extends PlatformArgs {
  /** Enabled APIs; the bucket depends on them. */
  readonly apis: Apis;
  /**
   * GCP region of the bucket; must be one of the geography's allowed regions.
   * @default the home region of `regions`
   */
  readonly location?: string;
  /** CMEK for the objects (a key in the bucket's location). @default Google-managed */
  readonly kmsKeyName?: pulumi.Input<string>;
  /**
   * Days a replaced or deleted upload or thumbnail version is kept (Cloud Storage allows any
   * whole number of days; we allow 1–365).
   * @default 30
   */
  readonly noncurrentRetentionDays?: number;
}

const DEFAULT_NONCURRENT_RETENTION_DAYS = 30;

/**
 * User media of one geography (uploads and the thumbnails media-processor makes): a private,
 * versioned, CMEK bucket in the geography, with its usage logged to an access-log bucket. Access only through {@link MediaBucket.grantReadWrite}.
 */
export class MediaBucket extends pulumi.ComponentResource {
  readonly bucket: gcp.storage.Bucket;
  /** Physical bucket name, as media-processor's `MEDIA_BUCKET` takes it. */
  readonly bucketName: pulumi.Output<string>;

  private readonly baseName: string;
  private readonly childOpts: pulumi.CustomResourceOptions;

  constructor(name: string, args: MediaBucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:storage:MediaBucket", name, {}, opts);
    checkPlatformArgs(this, args);
    const location = args.location ?? args.regions[0].gcpRegion;
    checkOneOf(this, "location", location, args.geography.allowedGcpRegions);
    const retention = args.noncurrentRetentionDays ?? DEFAULT_NONCURRENT_RETENTION_DAYS;
    checkRange(this, "noncurrentRetentionDays", retention, 1, 365, "days");
    this.baseName = name;
    this.childOpts = { parent: this, dependsOn: args.apis.services };
    this.bucket = privateBucket(
      name,
      {
        project: args.project,
        name: gcpName("bucket", args.project, "media"),
        location,
        kmsKeyName: args.kmsKeyName,
        noncurrentRetentionDays: retention,
        labels: platformLabels(args, args.regions[0].id, { purpose: "media" }),
      },
      this.childOpts,
    );
    this.bucketName = this.bucket.name;
    this.registerOutputs({ bucket: this.bucket.name });
  }

  /** Lets `member` read uploads and write thumbnails (`roles/storage.objectUser` on this bucket). */
  grantReadWrite(member: pulumi.Input<string>, key: string): gcp.storage.BucketIAMMember {
    return new gcp.storage.BucketIAMMember(
      `${this.baseName}-rw-${key}`,
      { bucket: this.bucket.name, role: "roles/storage.objectUser", member },
      this.childOpts,
    );
  }
}
