import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { platformLabels } from "./labels";
import { gcpName } from "./naming";
import { privateBucket } from "./private-bucket";
import { checkOneOf, checkPattern, checkPlatformArgs, checkRange } from "./validation";

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
  /**
   * Browser origins allowed to POST upload forms to the bucket (stack config
   * `avalo:corsOrigins`): `scheme://host[:port]`, or `*`. The policy pack refuses `*` and
   * `http://` in prod. Empty: no CORS rule, so only native apps can upload.
   * @default []
   */
  readonly corsOrigins?: readonly string[];
}

const DEFAULT_NONCURRENT_RETENTION_DAYS = 30;
/** What an entry of `corsOrigins` accepts, also checked in `avalo:corsOrigins` (stacks/config.ts). */
export const CORS_ORIGIN = {
  pattern: /^(\*|https?:\/\/[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?)$/,
  rule: "an origin such as https://app.avalo.example (scheme, host and optional port), or *",
} as const;

/** The CORS rule of upload forms: POST from the allowed origins, preflight cached for an hour. */
function uploadCors(origins: readonly string[]): gcp.types.input.storage.BucketCor[] {
  if (origins.length === 0) return [];
  return [
    {
      origins: [...origins],
      methods: ["POST"],
      responseHeaders: ["Content-Type", "Location", "ETag"],
      maxAgeSeconds: 3600,
    },
  ];
}

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
    const origins = args.corsOrigins ?? [];
    for (const origin of origins) {
      checkPattern(this, "corsOrigins[]", origin, CORS_ORIGIN.pattern, CORS_ORIGIN.rule);
    }
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
        cors: uploadCors(origins),
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

  /**
   * Lets the service account `member` sign upload policies for this bucket as itself:
   * `roles/iam.serviceAccountTokenCreator` (IAM signBlob) on its own account and no other. The
   * policies it signs carry its own object access, so it also needs {@link grantReadWrite}.
   */
  grantUploadSigning(member: pulumi.Input<string>, key: string): gcp.serviceaccount.IAMMember {
    const self = pulumi.output(member).apply((m) => {
      const email = /^serviceAccount:(.+@(.+)\.iam\.gserviceaccount\.com)$/.exec(m);
      if (!email) {
        throw new Error(
          `grantUploadSigning: member must be a service account of a project, but "${m}" was provided`,
        );
      }
      return `projects/${email[2]}/serviceAccounts/${email[1]}`;
    });
    return new gcp.serviceaccount.IAMMember(
      `${this.baseName}-sign-${key}`,
      { serviceAccountId: self, role: "roles/iam.serviceAccountTokenCreator", member },
      this.childOpts,
    );
  }
}
