import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { MEMORYSTORE_LIMITS } from "../runtime/catalog/limits";
import { PIPELINES } from "../runtime/catalog/pipelines";
import {
  SERVICES,
  perService,
  type ServiceName,
  type ServiceResource,
  type ServiceSpec,
} from "../runtime/catalog/services";
import { serviceEnvironment, serviceSecrets } from "../runtime/services/container";
import type { RegionId } from "../runtime/topology";
import { ArtifactRepository } from "./artifact-repository";
import { Analytics } from "./analytics";
import { AppCheck, type AppCheckEnforcement, type ClientApps } from "./app-check";
import { Apis } from "./apis";
import { AuditSink } from "./audit-sink";
import type { Bundle } from "../build/bundles";
import { Cache } from "./cache";
import { ContainerImage } from "./container-image";
import type { PlatformArgs, ResolvedRegion } from "./context";
import { FirestoreDatabase } from "./firestore-database";
import { FirestoreRules } from "./firestore-rules";
import { FcmSenderRole } from "./fcm-sender-role";
import { Kms } from "./kms";
import { LOAD_GENERATOR, LoadGenerator, type ResolvedLoadSettings } from "./load-generator";
import { Monitoring } from "./monitoring";
import { Network } from "./network";
import { MediaBucket } from "./media-bucket";
import { Pipeline, pushInvokerAccountId } from "./pipeline";
import { RuntimeBundle } from "./runtime-bundle";
import { Service, type ServiceSecret, cloudRunServiceAgent, serviceUrl } from "./service";
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
  /** The load-generator job in the home region (`avalo:loadGenerator`). @default none */
  readonly loadGenerator?: ResolvedLoadSettings;
}

/** Arguments of {@link Geography}. */
export interface GeographyArgs {
  readonly config: GeographySettings;
  /** One archive per service of the service table (build/bundles.ts). */
  readonly bundles: readonly Bundle[];
  /** The load simulator's archive (`buildScriptBundle`); required with `config.loadGenerator`. */
  readonly loadBundle?: Bundle;
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
  readonly analytics: Analytics;
  readonly cache: Cache;
  readonly bundle: RuntimeBundle;
  /** User media (uploads, thumbnails), read and written by media-processor only. */
  readonly media: MediaBucket;
  /** App Check over the client apps, when the config names them. */
  readonly appCheck?: AppCheck;
  readonly monitoring: Monitoring;
  /** Service per region per service name. */
  readonly services: Readonly<Partial<Record<RegionId, Readonly<Record<ServiceName, Service>>>>>;
  /** Pipeline per catalog name. */
  readonly pipelines: Readonly<Record<string, Pipeline>>;
  /** The load-generator job and its image, when `config.loadGenerator` is set. */
  readonly loadGenerator?: { readonly job: LoadGenerator; readonly image: ContainerImage };
  /** Project, geography, environment and regions, as every child component takes them. */
  private readonly platform: PlatformArgs;
  /** Custom role sending FCM messages, created with the first service that uses `fcm`. */
  private fcmSender?: FcmSenderRole;

  constructor(name: string, args: GeographyArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:platform:Geography", name, {}, opts);
    const { config } = args;
    validate(this, args);
    this.platform = platformOf(config);
    ({
      apis: this.apis,
      kms: this.kms,
      network: this.network,
      firestore: this.firestore,
      firestoreRules: this.firestoreRules,
      auditSink: this.auditSink,
      analytics: this.analytics,
      cache: this.cache,
      bundle: this.bundle,
      media: this.media,
      appCheck: this.appCheck,
    } = this.createPlatform(name, config, args.bundles));
    this.services = this.createServices(name, config);
    this.pipelines = this.createPipelines(name, config);
    this.monitoring = new Monitoring(
      `${name}-monitoring`,
      { ...this.platform, apis: this.apis, notificationEmail: config.alertEmail },
      { parent: this, dependsOn: Object.values(this.pipelines) },
    );
    if (config.loadGenerator && args.loadBundle) {
      this.loadGenerator = this.createLoadGenerator(config, config.loadGenerator, args.loadBundle);
    }
    this.registerOutputs({});
  }

  /**
   * The shared platform: APIs, keys, VPC, the Firestore database and its rules, the audit sink,
   * the analytics dataset, a cache per region, the service bundles, the media bucket and App Check.
   */
  private createPlatform(name: string, config: GeographySettings, bundles: readonly Bundle[]) {
    const platform = this.platform;
    const parent = { parent: this };
    const protection = config.deletionProtection;
    const home = config.regions[0];
    const apis = new Apis(`${name}-apis`, { project: config.project }, parent);
    const kms = new Kms(
      `${name}-kms`,
      { ...platform, apis, deletionProtection: protection },
      parent,
    );
    const network = new Network(`${name}-network`, { ...platform, apis }, parent);
    const firestore = new FirestoreDatabase(
      `${name}-firestore`,
      { ...platform, apis, kms },
      parent,
    );
    const firestoreRules = new FirestoreRules(
      `${name}-firestore-rules`,
      { ...platform, apis, databaseName: firestore.databaseName },
      parent,
    );
    const auditSink = new AuditSink(
      `${name}-audit`,
      { ...platform, apis, kmsKeyName: kms.keyId("bigquery", "multi") },
      parent,
    );
    const analytics = new Analytics(`${name}-analytics`, { ...platform, apis, kms }, parent);
    const cache = new Cache(
      `${name}-cache`,
      {
        ...platform,
        apis,
        kms,
        network,
        memorySizeGb: config.redisMemorySizeGb,
        deletionProtection: protection,
      },
      parent,
    );
    const storageKey = kms.keyId("storage", home.id);
    const bundle = new RuntimeBundle(
      `${name}-bundles`,
      { ...platform, apis, kmsKeyName: storageKey, bundles },
      parent,
    );
    const media = new MediaBucket(
      `${name}-media`,
      { ...platform, apis, kmsKeyName: storageKey, corsOrigins: config.corsOrigins ?? [] },
      parent,
    );
    const appCheck = config.clientApps
      ? new AppCheck(
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
        )
      : undefined;
    return {
      apis,
      kms,
      network,
      firestore,
      firestoreRules,
      auditSink,
      analytics,
      cache,
      bundle,
      media,
      appCheck,
    };
  }

  /**
   * Every service of the table in every region, each running its bundle with the environment
   * `serviceEnvironment` names and waiting for the grants of what it uses.
   */
  private createServices(name: string, config: GeographySettings) {
    // Which identity fetches a no-build source archive is not documented: the Cloud Run service
    // agent and each service's runtime account both get read access to the bundles.
    const agentRead = this.bundle.grantRead(
      cloudRunServiceAgent(this.apis.projectNumber),
      "cloud-run-agent",
    );
    const services: Partial<Record<RegionId, Record<ServiceName, Service>>> = {};
    for (const region of config.regions) {
      services[region.id] = perService(
        (spec) =>
          new Service(
            `${name}-${spec.name}-${region.id}`,
            {
              ...this.platform,
              apis: this.apis,
              spec,
              region,
              projectNumber: this.apis.projectNumber,
              source: this.bundle.sourceOf(spec.name),
              network: this.network.network.id,
              subnetwork: this.network.subnets[region.id]!.id,
              env: this.environmentOf(spec, region, config),
              secrets: this.secretsOf(spec, region.id),
              grants: (member, key) => [
                agentRead,
                this.bundle.grantRead(member, key),
                this.firestore.grantUser(member, key),
                ...spec.uses.flatMap((use) => this.grantUse(use, member, key, region.id)),
              ],
              maxInstances: config.maxInstances[spec.name],
              rollout: rolloutOf(config.rollout[spec.name]),
              deletionProtection: config.deletionProtection,
            },
            { parent: this },
          ),
      );
    }
    return services;
  }

  /**
   * The secret variables of `spec` in `region`, each pinned to the version the program writes:
   * the service depends on that version, so a first `pulumi up` never starts a revision before
   * the secret has data, and a new version rolls the services that read it.
   */
  private secretsOf(spec: ServiceSpec, region: RegionId): Record<string, ServiceSecret> {
    const cache = this.cache.regions[region]!;
    return serviceSecrets<ServiceSecret>(spec, {
      REDIS_PASSWORD: {
        secret: cache.authSecret.secretId,
        version: cache.authSecretVersion.version,
      },
      REDIS_TLS_CA: { secret: cache.caSecret.secretId, version: cache.caSecretVersion.version },
    });
  }

  /** The plain environment of `spec` in `region`, from the deployed resources. */
  private environmentOf(spec: ServiceSpec, region: ResolvedRegion, config: GeographySettings) {
    const cache = this.cache.regions[region.id]!;
    return serviceEnvironment<pulumi.Input<string>>(spec, {
      region: region.id,
      geography: config.geography.id,
      environment: config.environment,
      project: config.project,
      auth: "google-oidc",
      serviceUrl: (service) => serviceUrl(service, this.apis.projectNumber, region.gcpRegion),
      redis: { host: cache.host, port: cache.port.apply(String), tls: true },
      pushInvoker: (pipeline) =>
        `${pushInvokerAccountId(pipeline)}@${config.project}.iam.gserviceaccount.com`,
      analytics: { dataset: this.analytics.datasetId },
      media: { bucket: this.media.bucketName },
      uploads: { bucket: this.media.bucketName },
      ai: { vertexLocation: region.gcpRegion },
      notifications: "fcm",
    });
  }

  /**
   * A pipeline per catalog entry, pushing to its consumer in every region (which it may invoke),
   * published to by exactly the services whose table entry names it in `publishes`.
   */
  private createPipelines(name: string, config: GeographySettings) {
    const pipelines: Record<string, Pipeline> = {};
    for (const spec of PIPELINES) {
      const consumers = config.regions.map(
        (r) => [r.id, this.services[r.id]![spec.consumer]] as const,
      );
      const pipeline = new Pipeline(
        `${name}-${spec.name}`,
        {
          ...this.platform,
          apis: this.apis,
          spec,
          kmsKeyName: this.kms.keyId("pubsub", "global"),
          pushEndpoints: Object.fromEntries(consumers.map(([id, s]) => [id, s.url])),
          ...(spec.bigQueryTable
            ? { bigQueryTable: this.analytics.subscriptionTable(spec.bigQueryTable) }
            : {}),
        },
        { parent: this },
      );
      for (const [, consumer] of consumers) {
        consumer.grantInvoke(
          pulumi.interpolate`serviceAccount:${pipeline.invokerEmail}`,
          `push-${spec.name}`,
        );
      }
      for (const region of config.regions) {
        for (const publisher of SERVICES) {
          if (!publisher.publishes.includes(spec.name)) continue;
          pipeline.grantPublish(
            this.services[region.id]![publisher.name].serviceAccount.member,
            `${publisher.name}-${region.id}`,
          );
        }
      }
      pipelines[spec.name] = pipeline;
    }
    return pipelines;
  }

  /**
   * The load-generator job in the home region: an image built from its bundle archive, pushed to
   * the geography's Artifact Registry repository and deployed by digest, with invoker on the
   * services it targets there.
   */
  private createLoadGenerator(
    config: GeographySettings,
    settings: ResolvedLoadSettings,
    bundle: Bundle,
  ) {
    const home = config.regions[0];
    const geography = config.geography.id;
    const keyRing = this.kms.keyRings[home.id]!.id;
    const parent = { parent: this };
    const repository = new ArtifactRepository(
      `${geography}-artifacts`,
      {
        ...this.platform,
        apis: this.apis,
        projectNumber: this.apis.projectNumber,
        keyRing,
        deletionProtection: config.deletionProtection,
      },
      parent,
    );
    const image = new ContainerImage(
      `${geography}-${LOAD_GENERATOR.name}-image`,
      { repository, bundle },
      parent,
    );
    const targets = this.services[home.id]!;
    const job = new LoadGenerator(
      `${geography}-${LOAD_GENERATOR.name}`,
      {
        ...this.platform,
        ...settings,
        apis: this.apis,
        projectNumber: this.apis.projectNumber,
        image: image.imageRef,
        keyRing,
        network: this.network.network.id,
        subnetwork: this.network.subnets[home.id]!.id,
        grants: (member, key) =>
          settings.invokes.map((service) => targets[service].grantInvoke(member, key)),
        deletionProtection: config.deletionProtection,
      },
      parent,
    );
    return { job, image };
  }

  /**
   * The grant each platform resource of a service's `uses` needs, the grant half of the resource
   * table (`serviceEnvironment` holds the variables): rows into the dataset, objects in the media
   * bucket, signing upload policies as itself, or a project role where GCP has no narrower
   * resource (`roles/aiplatform.user` to call models, the FCM sender custom role with only
   * `cloudmessaging.messages.create`, one per project as a stack holds one geography).
   */
  private grantUse(
    use: ServiceResource,
    member: pulumi.Input<string>,
    key: string,
    region: RegionId,
  ): pulumi.Resource | readonly pulumi.Resource[] {
    const grants: {
      readonly [R in ServiceResource]: () => pulumi.Resource | readonly pulumi.Resource[];
    } = {
      redis: () => this.cache.grantConnect(member, region, key),
      "analytics-dataset": () => this.analytics.grantWrite(member, key),
      "media-bucket": () => this.media.grantReadWrite(member, key),
      "media-uploads": () => this.media.grantUploadSigning(member, key),
      "vertex-ai": () =>
        this.grantProjectRole("roles/aiplatform.user", member, `${key}-vertex-user`),
      fcm: () => {
        this.fcmSender ??= new FcmSenderRole(
          "fcm-sender",
          { project: this.firestore.database.project, dependsOn: this.apis.services },
          { parent: this },
        );
        return this.fcmSender.grant(member, key);
      },
    };
    return grants[use]();
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

function validate(geography: Geography, args: GeographyArgs): void {
  const { config } = args;
  const redisLimit = MEMORYSTORE_LIMITS.memorySizeGb;
  checkAll(geography, [
    ...platformChecks(geography, config),
    () =>
      checkRange(
        geography,
        "config.redisMemorySizeGb",
        config.redisMemorySizeGb,
        redisLimit.min,
        redisLimit.max,
        "GB",
      ),
    () => {
      const missing = SERVICES.filter((s) => !args.bundles.some((b) => b.service === s.name));
      if (missing.length > 0) {
        throw new pulumi.ResourceError(
          `\`bundles\` must hold a bundle for every service, but ${missing.map((s) => s.name).join(", ")} ` +
            "has none; run `npm run bundle`",
          geography,
        );
      }
    },
    () => {
      if (config.loadGenerator && !args.loadBundle) {
        throw new pulumi.ResourceError(
          "`loadBundle` must hold the load simulator's archive when `config.loadGenerator` is set; " +
            "run `npm run bundle`",
          geography,
        );
      }
    },
  ]);
}

function platformOf(config: GeographySettings): PlatformArgs {
  return {
    project: config.project,
    geography: config.geography,
    environment: config.environment,
    regions: config.regions,
  };
}

function rolloutOf(percent: number | undefined) {
  return percent === undefined ? undefined : { percent };
}
