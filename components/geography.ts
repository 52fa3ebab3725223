import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { MEMORYSTORE_LIMITS } from "../runtime/catalog/limits";
import { PIPELINES } from "../runtime/catalog/pipelines";
import {
  SERVICES,
  type ServiceName,
  type ServiceResource,
  type ServiceSpec,
} from "../runtime/services/catalog";
import { serviceEnvironment } from "../runtime/services/container";
import type { RegionId } from "../runtime/topology";
import { Analytics } from "./analytics";
import { AppCheck, type AppCheckEnforcement, type ClientApps } from "./app-check";
import { Apis } from "./apis";
import { AuditSink } from "./audit-sink";
import type { Bundle } from "../build/bundles";
import { Cache } from "./cache";
import type { PlatformArgs } from "./context";
import { FirestoreDatabase } from "./firestore-database";
import { FirestoreRules } from "./firestore-rules";
import { FcmSenderRole } from "./fcm-sender-role";
import { Kms } from "./kms";
import { Monitoring } from "./monitoring";
import { Network } from "./network";
import { MediaBucket } from "./media-bucket";
import { Pipeline, pushInvokerAccountId } from "./pipeline";
import { RuntimeBundle } from "./runtime-bundle";
import { Service, serviceUrl } from "./service";
import { checkAll, checkRange, platformChecks } from "./validation";

/** The per-stack settings a geography is built from (the stack reads them from config). */
export interface GeographySettings extends PlatformArgs {
  /** Email address that receives the alert notifications. */
  readonly alertEmail: string;
  /** Memorystore capacity per region, in GB (MEMORYSTORE_LIMITS.memorySizeGb). */
  readonly redisMemorySizeGb: number;
  /** Per-service overrides of the service table's max instances per region. */
  readonly maxInstances: Readonly<Partial<Record<ServiceName, number>>>;
  /** Delete protection of Cloud Run services, caches, keys, secrets and the bundle bucket. */
  readonly deletionProtection: boolean;
  /** Per-service traffic percent for a new revision (tagged `canary`). */
  readonly rollout: Readonly<Partial<Record<ServiceName, number>>>;
  /** The geography's client apps, registered with Firebase App Check. @default none */
  readonly clientApps?: ClientApps;
  /** App Check mode of the client-facing Firebase services. @default enforced in prod */
  readonly appCheckEnforcement?: AppCheckEnforcement;
  /** Browser origins allowed to POST uploads to the media bucket. @default [] */
  readonly corsOrigins?: readonly string[];
}

/** Arguments of {@link Geography}. */
export interface GeographyArgs {
  readonly config: GeographySettings;
  /** One archive per service of the service table (components/bundling.ts). */
  readonly bundles: readonly Bundle[];
}

/**
 * Everything one stack deploys for its geography: the APIs, keys, VPC, Firestore database with
 * its security rules, the audit sink, the analytics dataset, a cache per region, the service
 * bundles, every service of the table in every region, a pipeline per catalog entry pushing to
 * its consumer in each region, monitoring, and the IAM between them, granted only through the
 * components' grant methods: each service may publish to exactly the pipelines its table entry's
 * `publishes` names. Each service runs its own bundle archive with the environment that
 * `serviceEnvironment` (runtime/services/container.ts) names.
 */
export class Geography extends pulumi.ComponentResource {
  readonly apis: Apis;
  readonly kms: Kms;
  readonly network: Network;
  readonly firestore: FirestoreDatabase;
  readonly firestoreRules: FirestoreRules;
  readonly auditSink: AuditSink;
  readonly monitoring: Monitoring;
  readonly analytics: Analytics;
  readonly cache: Cache;
  readonly bundle: RuntimeBundle;
  /** User media (uploads, thumbnails), read and written by media-processor only. */
  readonly media: MediaBucket;
  /** App Check over the client apps, when the config names them. */
  readonly appCheck?: AppCheck;
  /** Service per region per service name. */
  readonly services: Readonly<Partial<Record<RegionId, Readonly<Record<string, Service>>>>>;
  /** Pipeline per catalog name. */
  readonly pipelines: Readonly<Record<string, Pipeline>>;
  /** Custom role sending FCM messages, created with the first service that uses `fcm`. */
  private fcmSender?: FcmSenderRole;

  constructor(name: string, args: GeographyArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:platform:Geography", name, {}, opts);
    const { config } = args;
    const redisLimit = MEMORYSTORE_LIMITS.memorySizeGb;
    checkAll(this, [
      ...platformChecks(this, config),
      () =>
        checkRange(
          this,
          "config.redisMemorySizeGb",
          config.redisMemorySizeGb,
          redisLimit.min,
          redisLimit.max,
          "GB",
        ),
    ]);
    const missing = SERVICES.filter((s) => !args.bundles.some((b) => b.service === s.name));
    if (missing.length > 0) {
      throw new pulumi.ResourceError(
        `\`bundles\` must hold a bundle for every service, but ${missing.map((s) => s.name).join(", ")} ` +
          "has none; run `npm run bundle`",
        this,
      );
    }
    const platform: PlatformArgs = {
      project: config.project,
      geography: config.geography,
      environment: config.environment,
      regions: config.regions,
    };
    const parent = { parent: this };
    const protection = config.deletionProtection;

    this.apis = new Apis(`${name}-apis`, { project: config.project }, parent);
    const apis = this.apis;
    this.kms = new Kms(
      `${name}-kms`,
      { ...platform, apis, deletionProtection: protection },
      parent,
    );
    const kms = this.kms;
    this.network = new Network(`${name}-network`, { ...platform, apis }, parent);
    this.firestore = new FirestoreDatabase(`${name}-firestore`, { ...platform, apis, kms }, parent);
    this.firestoreRules = new FirestoreRules(
      `${name}-firestore-rules`,
      { ...platform, apis, databaseName: this.firestore.databaseName },
      parent,
    );
    this.auditSink = new AuditSink(
      `${name}-audit`,
      { ...platform, apis, kmsKeyName: kms.keyId("bigquery", "multi") },
      parent,
    );
    this.analytics = new Analytics(`${name}-analytics`, { ...platform, apis, kms }, parent);
    this.cache = new Cache(
      `${name}-cache`,
      {
        ...platform,
        apis,
        kms,
        network: this.network,
        memorySizeGb: config.redisMemorySizeGb,
        deletionProtection: protection,
      },
      parent,
    );
    const home = config.regions[0];
    this.bundle = new RuntimeBundle(
      `${name}-bundles`,
      { ...platform, apis, kmsKeyName: kms.keyId("storage", home.id), bundles: args.bundles },
      parent,
    );
    this.media = new MediaBucket(
      `${name}-media`,
      {
        ...platform,
        apis,
        kmsKeyName: kms.keyId("storage", home.id),
        corsOrigins: config.corsOrigins ?? [],
      },
      parent,
    );
    if (config.clientApps) {
      this.appCheck = new AppCheck(
        `${name}-app-check`,
        {
          ...platform,
          apis,
          clientApps: config.clientApps,
          enforcement:
            config.appCheckEnforcement ??
            (config.environment === "prod" ? "enforced" : "unenforced"),
        },
        parent,
      );
    }
    const projectNumber = gcp.organizations
      .getProjectOutput({ projectId: config.project }, { parent: this, dependsOn: apis.services })
      .apply((p) => p.number);
    // Which identity fetches a no-build source archive is not documented: the Cloud Run service
    // agent and each service's runtime account both get read access to the bundles.
    const agentRead = this.bundle.grantRead(
      pulumi.interpolate`serviceAccount:service-${projectNumber}@serverless-robot-prod.iam.gserviceaccount.com`,
      "cloud-run-agent",
    );

    const services: Partial<Record<RegionId, Record<string, Service>>> = {};
    for (const region of config.regions) {
      const regional: Record<string, Service> = {};
      const cache = this.cache.regions[region.id]!;
      for (const spec of SERVICES as readonly ServiceSpec[]) {
        const env = serviceEnvironment<pulumi.Input<string>>(spec, {
          region: region.id,
          geography: config.geography.id,
          environment: config.environment,
          project: config.project,
          auth: "google-oidc",
          serviceUrl: (service) => serviceUrl(service, projectNumber, region.gcpRegion),
          redis: { host: cache.host, port: cache.port.apply(String), tls: true },
          pushInvoker: (pipeline) =>
            `${pushInvokerAccountId(pipeline)}@${config.project}.iam.gserviceaccount.com`,
          analytics: { dataset: this.analytics.datasetId },
          media: { bucket: this.media.bucketName },
          uploads: { bucket: this.media.bucketName },
          ai: { vertexLocation: region.gcpRegion },
          notifications: "fcm",
        });
        regional[spec.name] = new Service(
          `${name}-${spec.name}-${region.id}`,
          {
            ...platform,
            apis,
            spec,
            region,
            projectNumber,
            source: this.bundle.sourceOf(spec.name),
            network: this.network.network.id,
            subnetwork: this.network.subnets[region.id]!.id,
            env,
            secrets: {
              REDIS_PASSWORD: secretRef(cache.authSecret, cache.authSecretVersion),
              REDIS_TLS_CA: secretRef(cache.caSecret, cache.caSecretVersion),
            },
            grants: (member, key) => [
              agentRead,
              this.bundle.grantRead(member, key),
              ...this.cache.grantConnect(member, region.id, key),
              this.firestore.grantUser(member, key),
              ...spec.uses.map((use) => this.grantUse(use, member, key)),
            ],
            maxInstances: config.maxInstances[spec.name as ServiceName],
            rollout: rolloutOf(config.rollout[spec.name as ServiceName]),
            deletionProtection: protection,
          },
          parent,
        );
      }
      for (const spec of SERVICES as readonly ServiceSpec[]) {
        for (const callee of spec.calls) {
          regional[callee].grantInvoke(regional[spec.name].serviceAccount.member, spec.name);
        }
      }
      services[region.id] = regional;
    }
    this.services = services;

    const pipelines: Record<string, Pipeline> = {};
    for (const spec of PIPELINES) {
      const consumers = config.regions.map((r) => [r.id, services[r.id]![spec.consumer]] as const);
      const pipeline = new Pipeline(
        `${name}-${spec.name}`,
        {
          ...platform,
          apis,
          spec,
          kmsKeyName: kms.keyId("pubsub", "global"),
          pushEndpoints: Object.fromEntries(consumers.map(([id, s]) => [id, s.url])),
          ...(spec.bigQueryTable
            ? { bigQueryTable: this.analytics.subscriptionTable(spec.bigQueryTable) }
            : {}),
        },
        parent,
      );
      for (const [, consumer] of consumers) {
        consumer.grantInvoke(
          pulumi.interpolate`serviceAccount:${pipeline.invokerEmail}`,
          `push-${spec.name}`,
        );
      }
      for (const region of config.regions) {
        for (const publisher of SERVICES as readonly ServiceSpec[]) {
          if (!publisher.publishes.includes(spec.name)) continue;
          pipeline.grantPublish(
            services[region.id]![publisher.name].serviceAccount.member,
            `${publisher.name}-${region.id}`,
          );
        }
      }
      pipelines[spec.name] = pipeline;
    }
    this.pipelines = pipelines;
    this.monitoring = new Monitoring(
      `${name}-monitoring`,
      { ...platform, apis, notificationEmail: config.alertEmail },
      { parent: this, dependsOn: Object.values(pipelines) },
    );
    this.registerOutputs({});
  }

  /**
   * The grant a platform resource needs: rows into the dataset, objects in the media bucket, or
   * a project role where GCP has no narrower resource (`roles/aiplatform.user` to call models,
   * the FCM sender custom role with only `cloudmessaging.messages.create`).
   */
  private grantUse(
    use: ServiceResource,
    member: pulumi.Input<string>,
    key: string,
  ): pulumi.Resource {
    switch (use) {
      case "analytics-dataset":
        return this.analytics.grantWrite(member, key);
      case "media-bucket":
        return this.media.grantReadWrite(member, key);
      case "vertex-ai":
        return this.grantProjectRole("roles/aiplatform.user", member, `${key}-vertex-user`);
      case "fcm":
        // One geography per stack, so one custom role per project.
        this.fcmSender ??= new FcmSenderRole(
          "fcm-sender",
          { project: this.firestore.database.project, dependsOn: this.apis.services },
          { parent: this },
        );
        return this.fcmSender.grant(member, key);
      case "media-uploads":
        return this.media.grantUploadSigning(member, key);
    }
  }

  private grantProjectRole(
    role: string,
    member: pulumi.Input<string>,
    name: string,
  ): gcp.projects.IAMMember {
    return new gcp.projects.IAMMember(
      name,
      { project: this.firestore.database.project, role, member },
      { parent: this, dependsOn: this.apis.services },
    );
  }
}

/**
 * A secret pinned to the version the program writes: the service depends on that version, so a
 * first `pulumi up` never starts a revision before the secret has data, and a new version rolls
 * the services that read it.
 */
function secretRef(secret: gcp.secretmanager.Secret, version: gcp.secretmanager.SecretVersion) {
  return { secret: secret.secretId, version: version.version };
}

function rolloutOf(percent: number | undefined) {
  return percent === undefined ? undefined : { percent };
}
