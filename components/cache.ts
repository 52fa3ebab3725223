import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { DELETION_PROTECTION, MEMORYSTORE_LIMITS } from "../runtime/catalog/limits";
import type { RegionId } from "../runtime/topology";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { REDIS } from "./defaults";
import type { Kms } from "./kms";
import { platformLabels } from "./labels";
import { gcpName } from "./naming";
import type { Network } from "./network";
import { checkAll, checkRange, platformChecks } from "./validation";

/** Arguments of {@link Cache}. */
export interface CacheArgs extends PlatformArgs {
  /** Enabled APIs; every child depends on them. */
  readonly apis: Apis;
  /** The geography's VPC; instances attach through its private service access peering. */
  readonly network: Network;
  /** Keys: `redis` and `secrets` in each region. */
  readonly kms: Kms;
  /**
   * Capacity of each region's instance (MEMORYSTORE_LIMITS.memorySizeGb).
   * @default REDIS.memorySizeGb
   */
  readonly memorySizeGb?: number;
  /**
   * Whether instances and secrets refuse deletion.
   * @default true in prod, false elsewhere
   */
  readonly deletionProtection?: boolean;
}

/** One region's cache: where it is and where its credentials live. */
export interface RegionalCache {
  readonly instance: gcp.redis.Instance;
  readonly host: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  /** Secret holding the AUTH string. */
  readonly authSecret: gcp.secretmanager.Secret;
  /** Secret holding the server CA certificate (PEM) for TLS. */
  readonly caSecret: gcp.secretmanager.Secret;
  /** The AUTH secret's version; readers reference it so that they wait until it exists. */
  readonly authSecretVersion: gcp.secretmanager.SecretVersion;
  /** The CA secret's version; readers reference it so that they wait until it exists. */
  readonly caSecretVersion: gcp.secretmanager.SecretVersion;
}

/**
 * Memorystore for Redis per region: highly available (STANDARD_HA), AUTH and in-transit TLS,
 * reachable only through private service access, RDB persistence, a weekly maintenance window
 * and CMEK. Each instance's AUTH string and server CA go to Secret Manager, replicated only
 * within the geography and encrypted with the regional keys.
 */
export class Cache extends pulumi.ComponentResource {
  /** Cache per region. */
  readonly regions: Readonly<Partial<Record<RegionId, RegionalCache>>>;
  private readonly baseName: string;
  private readonly secretOpts: pulumi.CustomResourceOptions;

  constructor(name: string, args: CacheArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:redis:Cache", name, {}, opts);
    const memorySizeGb = args.memorySizeGb ?? REDIS.memorySizeGb;
    const limit = MEMORYSTORE_LIMITS.memorySizeGb;
    checkAll(this, [
      ...platformChecks(this, args),
      () => checkRange(this, "memorySizeGb", memorySizeGb, limit.min, limit.max, "GB"),
    ]);
    const protect = args.deletionProtection ?? DELETION_PROTECTION[args.environment];
    this.baseName = name;
    const childOpts = { parent: this, dependsOn: args.apis.services };
    this.secretOpts = childOpts;

    const replicas = args.regions.map((r) => ({
      location: r.gcpRegion,
      customerManagedEncryption: { kmsKeyName: args.kms.keyId("secrets", r.id) },
    }));
    const secret = (
      logical: string,
      secretId: string,
      region: RegionId,
      data: pulumi.Input<string>,
    ) => {
      const s = new gcp.secretmanager.Secret(
        logical,
        {
          project: args.project,
          secretId,
          replication: { userManaged: { replicas } },
          deletionProtection: protect,
          labels: platformLabels(args, region, { component: "redis" }),
        },
        childOpts,
      );
      const version = new gcp.secretmanager.SecretVersion(
        `${logical}-v`,
        { secret: s.id, secretData: pulumi.secret(data) },
        childOpts,
      );
      return { secret: s, version };
    };

    const regions: Partial<Record<RegionId, RegionalCache>> = {};
    for (const region of args.regions) {
      const instance = new gcp.redis.Instance(
        `${name}-${region.id}`,
        {
          project: args.project,
          name: gcpName("redisInstance", "avalo", region.id),
          region: region.gcpRegion,
          tier: "STANDARD_HA",
          memorySizeGb,
          redisVersion: REDIS.redisVersion,
          authEnabled: true,
          transitEncryptionMode: "SERVER_AUTHENTICATION",
          connectMode: "PRIVATE_SERVICE_ACCESS",
          authorizedNetwork: args.network.network.id,
          reservedIpRange: args.network.privateServiceRange.name,
          customerManagedKey: args.kms.keyId("redis", region.id),
          persistenceConfig: {
            persistenceMode: "RDB",
            rdbSnapshotPeriod: REDIS.rdbSnapshotPeriod,
          },
          maintenancePolicy: {
            weeklyMaintenanceWindows: [
              {
                day: REDIS.maintenanceDay,
                startTime: { hours: REDIS.maintenanceHourUtc, minutes: 0, seconds: 0, nanos: 0 },
              },
            ],
          },
          deletionProtection: protect,
          labels: platformLabels(args, region.id),
        },
        { ...childOpts, dependsOn: [...args.apis.services, args.network.connection] },
      );
      const ca = instance.serverCaCerts.apply((certs) => certs.map((c) => c.cert ?? "").join(""));
      const auth = secret(
        `${name}-${region.id}-auth`,
        gcpName("secret", "avalo", "redis", region.id, "auth"),
        region.id,
        instance.authString,
      );
      const caCert = secret(
        `${name}-${region.id}-ca`,
        gcpName("secret", "avalo", "redis", region.id, "ca"),
        region.id,
        ca,
      );
      regions[region.id] = {
        instance,
        host: instance.host,
        port: instance.port,
        authSecret: auth.secret,
        caSecret: caCert.secret,
        authSecretVersion: auth.version,
        caSecretVersion: caCert.version,
      };
    }
    this.regions = regions;
    this.registerOutputs({});
  }

  /**
   * Lets `member` connect to the cache of `region`: `roles/secretmanager.secretAccessor` on that
   * region's AUTH and CA secrets, nothing more. A service reaches only its own region's cache, so
   * it gets no access to another region's secrets. Redis AUTH is checked by the server itself and
   * the network path is the service's Direct VPC egress; `roles/redis.dbConnectionUser` governs
   * IAM authentication, which Memorystore for Redis instances with AUTH do not use.
   * @param region the member's region; throws naming the cache's regions for any other
   * @param key stable suffix of the grants' resource names, e.g. the service's name
   */
  grantConnect(
    member: pulumi.Input<string>,
    region: RegionId,
    key: string,
  ): gcp.secretmanager.SecretIamMember[] {
    const cache = this.regions[region];
    if (!cache) {
      throw new pulumi.ResourceError(
        `grantConnect: region "${region}" has no cache; regions: ${Object.keys(this.regions).join(", ")}`,
        this,
      );
    }
    return [cache.authSecret, cache.caSecret].map(
      (s, i) =>
        new gcp.secretmanager.SecretIamMember(
          `${this.baseName}-${region}-${i === 0 ? "auth" : "ca"}-${key}`,
          { secretId: s.id, role: "roles/secretmanager.secretAccessor", member },
          this.secretOpts,
        ),
    );
  }
}
