import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Apis } from "./apis";
import { type Bundle, projectRelativePath } from "../build/bundles";
import type { PlatformArgs } from "./context";
import { BUNDLES } from "./deploy-defaults";
import { platformLabels } from "./labels";
import { gcpName } from "./naming";
import { privateBucket } from "./private-bucket";
import { checkNonEmpty, checkOneOf, checkPlatformArgs } from "./validation";

/** Arguments of {@link RuntimeBundle}. */
export interface RuntimeBundleArgs extends PlatformArgs {
  /** Enabled APIs; the bucket depends on them. */
  readonly apis: Apis;
  /**
   * GCP region of the bucket; must be one of the geography's allowed regions.
   * @default the home region of `regions`
   */
  readonly location?: string;
  /** CMEK for the bucket's objects (a key in the bucket's location). @default Google-managed */
  readonly kmsKeyName?: pulumi.Input<string>;
  /** The service archives, from `buildBundles` (build/bundles.ts). */
  readonly bundles: readonly Bundle[];
}

/**
 * The deployable code of every service: a private, versioned bucket in the geography and one
 * `.tar.gz` object per service named `<service>/<sha256>.tar.gz`. A change in a service's code
 * changes its object name, and with it the `sourceCode` of exactly that Cloud Run service.
 */
export class RuntimeBundle extends pulumi.ComponentResource {
  readonly bucket: gcp.storage.Bucket;
  /** Storage object per service (and per job bundle added with {@link RuntimeBundle.upload}). */
  readonly objects: Readonly<Record<string, gcp.storage.BucketObject>>;

  private readonly uploaded: Record<string, gcp.storage.BucketObject> = {};
  private readonly baseName: string;
  private readonly childOpts: pulumi.CustomResourceOptions;

  constructor(name: string, args: RuntimeBundleArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:deploy:RuntimeBundle", name, {}, opts);
    checkPlatformArgs(this, args);
    const location = args.location ?? args.regions[0].gcpRegion;
    checkOneOf(this, "location", location, args.geography.allowedGcpRegions);
    checkNonEmpty(this, "bundles", args.bundles);
    const duplicate = args.bundles.find(
      (b, i) => args.bundles.findIndex((o) => o.service === b.service) !== i,
    );
    if (duplicate) {
      throw new pulumi.ResourceError(
        `\`bundles\` must hold one bundle per service, but "${duplicate.service}" appears twice`,
        this,
      );
    }
    this.baseName = name;
    this.childOpts = { parent: this, dependsOn: args.apis.services };

    this.bucket = privateBucket(
      name,
      {
        project: args.project,
        name: gcpName("bucket", args.project, "bundles"),
        location,
        kmsKeyName: args.kmsKeyName,
        noncurrentRetentionDays: BUNDLES.noncurrentRetentionDays,
        labels: platformLabels(args, args.regions[0].id, { purpose: "bundles" }),
      },
      this.childOpts,
    );

    this.objects = this.uploaded;
    for (const bundle of [...args.bundles].sort((a, b) => a.service.localeCompare(b.service))) {
      this.upload(bundle);
    }
    this.registerOutputs({ bucket: this.bucket.name });
  }

  /**
   * Uploads one more archive (a job's script bundle) as `<name>/<sha256>.tar.gz`, beside the
   * services'. Throws if a bundle of that name is already uploaded.
   */
  upload(bundle: Bundle): gcp.storage.BucketObject {
    if (this.uploaded[bundle.service]) {
      throw new pulumi.ResourceError(
        `RuntimeBundle ${this.baseName} already holds a bundle named "${bundle.service}"`,
        this,
      );
    }
    const object = new gcp.storage.BucketObject(
      `${this.baseName}-${bundle.service}`,
      {
        bucket: this.bucket.name,
        name: objectName(bundle),
        source: new pulumi.asset.FileAsset(projectRelativePath(bundle.archivePath)),
        contentType: "application/gzip",
        metadata: { service: bundle.service, sha256: bundle.sha256 },
      },
      this.childOpts,
    );
    this.uploaded[bundle.service] = object;
    return object;
  }

  /** The object holding `service`'s archive; throws naming the services it holds otherwise. */
  objectFor(service: string): gcp.storage.BucketObject {
    const object = this.objects[service];
    if (!object) {
      throw new pulumi.ResourceError(
        `RuntimeBundle ${this.baseName} has no bundle for service "${service}"; ` +
          `it holds: ${Object.keys(this.objects).join(", ")}`,
        this,
      );
    }
    return object;
  }

  /**
   * `service`'s archive as Cloud Run's `sourceCode.cloudStorageSource` takes it: bucket, object
   * and the generation that pins the uploaded bytes (and makes the service wait for the upload).
   */
  sourceOf(service: string): {
    bucket: pulumi.Output<string>;
    object: pulumi.Output<string>;
    generation: pulumi.Output<string>;
  } {
    const object = this.objectFor(service);
    return {
      bucket: object.bucket,
      object: object.name,
      generation: object.generation.apply(String),
    };
  }

  /** Lets `member` read the bundles (`roles/storage.objectViewer` on this bucket only). */
  grantRead(member: pulumi.Input<string>, key: string): gcp.storage.BucketIAMMember {
    return new gcp.storage.BucketIAMMember(
      `${this.baseName}-read-${key}`,
      { bucket: this.bucket.name, role: "roles/storage.objectViewer", member },
      this.childOpts,
    );
  }
}

/** `<service>/<sha256>.tar.gz`: the content hash in the name makes every code change a new object. */
export function objectName(bundle: Pick<Bundle, "service" | "sha256">): string {
  return `${bundle.service}/${bundle.sha256}.tar.gz`;
}
