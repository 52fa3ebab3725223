import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CLOUD_RUN_LIMITS, type IntRange, minCpuForMemory } from "../runtime/catalog/limits";
import type { ServiceSpec } from "../runtime/catalog/services";
import { SERVICE_CONTAINER, serviceBaseImage } from "../runtime/services/container";
import type { Apis } from "./apis";
import type { PlatformArgs, ResolvedRegion } from "./context";
import { CLOUD_RUN } from "./deploy-defaults";
import { platformLabels } from "./labels";
import { gcpName } from "./naming";
import { checkAll, checkOneOf, checkRange, platformChecks } from "./validation";
import { waitFor } from "./outputs";

/** A Secret Manager secret mounted as an environment variable. */
export interface ServiceSecret {
  /** Secret id or full name (`projects/*\/secrets/*`). */
  readonly secret: pulumi.Input<string>;
  /**
   * Version to read. Pass the `version` output of the `SecretVersion` that writes it, so that the
   * service depends on it. @default "latest"
   */
  readonly version?: pulumi.Input<string>;
}

/** A partial rollout: the newest revision takes `percent` of the traffic, tagged `canary`. */
export interface ServiceRollout {
  /** Share of traffic for the newest revision (CLOUD_RUN_LIMITS.rolloutPercent); 100 ends the rollout. */
  readonly percent: number;
  /**
   * Revision that keeps the rest of the traffic.
   * @default read from the deployed service: its current `stable` revision while a rollout is
   * under way, else its latest ready revision
   */
  readonly stableRevision?: pulumi.Input<string>;
}

/** The archive a service runs: a `.tar.gz` object of the plan (`RuntimeBundle.sourceOf`). */
export interface ServiceSource {
  readonly bucket: pulumi.Input<string>;
  readonly object: pulumi.Input<string>;
  /** The object's generation, so that a revision pins the exact bytes it was deployed with. */
  readonly generation: pulumi.Input<string>;
}

/** Arguments of {@link Service}. */
export interface ServiceArgs extends PlatformArgs {
  /** Enabled APIs; every child depends on them. */
  readonly apis: Apis;
  /** The service table entry (runtime/catalog/services.ts): memory, cpu, timeout, scaling. */
  readonly spec: ServiceSpec;
  /** The region this instance of the service runs in; one of `regions`. */
  readonly region: ResolvedRegion;
  /** The project's number, for the service's deterministic URL. */
  readonly projectNumber: pulumi.Input<string>;
  /** The service's bundle archive, deployed without a build on the managed Node.js base image. */
  readonly source: ServiceSource;
  /** VPC network (id or self link) for Direct VPC egress. */
  readonly network: pulumi.Input<string>;
  /** Subnetwork of `region` (id or self link) for Direct VPC egress. */
  readonly subnetwork: pulumi.Input<string>;
  /**
   * The container's plain environment, from `serviceEnvironment` (runtime/services/container.ts),
   * the one place that names the variables. @default {}
   */
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * Environment variables read from Secret Manager. The service account's read access comes
   * from `grants` (e.g. `Cache.grantConnect`). @default {}
   */
  readonly secrets?: Readonly<Record<string, ServiceSecret>>;
  /**
   * Access the service needs before its first revision starts, granted through other
   * components' grant methods to the new service account; the Cloud Run service waits for them.
   * @default no grants
   */
  readonly grants?: (member: pulumi.Output<string>, key: string) => readonly pulumi.Resource[];
  /** Override of the table's max instances per region (CLOUD_RUN_LIMITS.maxInstances). @default spec.maxInstances */
  readonly maxInstances?: number;
  /** Partial rollout of a new revision. @default all traffic to the latest revision */
  readonly rollout?: ServiceRollout;
  /** Cloud Run delete protection; set explicitly per environment. */
  readonly deletionProtection: boolean;
}

const LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST";
const REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION";

/** One Cloud Run traffic target. */
export interface TrafficTarget {
  readonly type: typeof LATEST | typeof REVISION;
  readonly percent: number;
  readonly revision?: string;
  readonly tag?: string;
}

/**
 * The traffic split of a service. Without a rollout (or at 100 %), the latest revision takes
 * everything. During a rollout, the latest revision takes `percent` under the tag `canary`
 * (`https://canary---<host>`) and the named stable revision takes the rest under `stable`.
 */
export function rolloutTraffic(
  percent: number | undefined,
  stableRevision?: string,
): TrafficTarget[] {
  if (percent === undefined || percent >= 100) return [{ type: LATEST, percent: 100 }];
  if (!stableRevision) {
    throw new Error(
      `a rollout of ${percent}% needs a stable revision to keep ${100 - percent}% of the traffic, ` +
        "but the service has no ready revision yet; deploy it at 100% first",
    );
  }
  return [
    { type: LATEST, percent, tag: CLOUD_RUN.canaryTag },
    { type: REVISION, revision: stableRevision, percent: 100 - percent, tag: CLOUD_RUN.stableTag },
  ];
}

/**
 * The revision that keeps serving during a rollout: the one already tagged `stable` (a rollout
 * under way keeps its baseline across `pulumi up`s), else the latest ready revision.
 */
export function stableRevisionOf(current: {
  readonly traffics?: readonly { readonly revision?: string; readonly tag?: string }[];
  readonly latestReadyRevision?: string;
}): string | undefined {
  const stable = current.traffics?.find((t) => t.tag === CLOUD_RUN.stableTag && t.revision);
  const name = stable?.revision ?? current.latestReadyRevision;
  return name ? name.split("/").pop() : undefined;
}

/**
 * The deterministic URL of a Cloud Run service, `https://<name>-<project number>.<region>.run.app`.
 * Known before the service exists, so callers and the service's own ID token audience agree.
 */
/**
 * The Cloud Run service agent of the project, as an IAM member: it pulls images and source
 * archives and uses the CMEK keys of services and jobs.
 */
export function cloudRunServiceAgent(projectNumber: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`serviceAccount:service-${projectNumber}@serverless-robot-prod.iam.gserviceaccount.com`;
}

export function serviceUrl(
  service: string,
  projectNumber: pulumi.Input<string>,
  gcpRegion: string,
): pulumi.Output<string> {
  return pulumi.interpolate`https://${gcpName("cloudRunService", service)}-${projectNumber}.${gcpRegion}.run.app`;
}

/**
 * One Avalo service in one region: Cloud Run v2 running its bundle archive through the no-build
 * source deploy (`image: "scratch"`, `sourceCode` naming the archive object and its generation,
 * `baseImageUri` the managed Node.js image, `commands`/`args` from `SERVICE_CONTAINER`), with its
 * own service account, internal ingress only, no public invoker, scale to zero, probes
 * on `/healthz`, Direct VPC egress to private ranges (Memorystore) and secrets from Secret
 * Manager. Memory, CPU, timeout, concurrency and max instances come from the service table.
 */
export class Service extends pulumi.ComponentResource {
  readonly service: gcp.cloudrunv2.Service;
  /** The service's own runtime identity. */
  readonly serviceAccount: gcp.serviceaccount.Account;
  /** Deterministic URL `https://<name>-<project number>.<region>.run.app` (also the ID token audience). */
  readonly url: pulumi.Output<string>;
  /** URL of the revision under rollout (`canary` tag), when a rollout is configured. */
  readonly canaryUrl?: pulumi.Output<string>;
  /** Cloud Run service name. */
  readonly serviceName: string;

  private readonly baseName: string;
  private readonly childOpts: pulumi.CustomResourceOptions;
  private readonly project: string;
  private readonly location: string;

  constructor(name: string, args: ServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:run:Service", name, {}, opts);
    validate(this, args);
    const { spec, region, project } = args;
    this.baseName = name;
    this.project = project;
    this.location = region.gcpRegion;
    this.childOpts = { parent: this, dependsOn: args.apis.services };
    this.serviceName = gcpName("cloudRunService", spec.name);
    const labels = platformLabels(args, region.id, { service: spec.name });
    const maxInstances = args.maxInstances ?? spec.maxInstances;

    this.serviceAccount = new gcp.serviceaccount.Account(
      `${name}-sa`,
      {
        project,
        accountId: gcpName("serviceAccount", spec.name, region.id),
        displayName: `${spec.name} in ${region.id}`,
        description: `Runtime identity of Cloud Run service ${spec.name} (${region.gcpRegion})`,
      },
      this.childOpts,
    );
    const granted = args.grants?.(this.serviceAccount.member, name) ?? [];
    const url = serviceUrl(spec.name, args.projectNumber, region.gcpRegion);
    const env: Readonly<Record<string, pulumi.Input<string>>> = args.env ?? {};
    const envs = [
      ...Object.keys(env)
        .sort()
        .map((key) => ({ name: key, value: env[key] })),
      ...Object.keys(args.secrets ?? {})
        .sort()
        .map((key) => {
          const ref = (args.secrets ?? {})[key];
          return {
            name: key,
            valueSource: { secretKeyRef: { secret: ref.secret, version: ref.version ?? "latest" } },
          };
        }),
    ];

    const percent = args.rollout?.percent;
    const traffics =
      percent === undefined || percent >= 100
        ? rolloutTraffic(percent)
        : pulumi
            .output(args.rollout?.stableRevision ?? this.currentStableRevision(name))
            .apply((stable) => rolloutTraffic(percent, stable));
    const probe = (settings: typeof CLOUD_RUN.startupProbe | typeof CLOUD_RUN.livenessProbe) => ({
      httpGet: { path: SERVICE_CONTAINER.healthPath, port: SERVICE_CONTAINER.port },
      initialDelaySeconds: 0,
      ...settings,
    });

    this.service = new gcp.cloudrunv2.Service(
      name,
      {
        project,
        name: this.serviceName,
        location: region.gcpRegion,
        description: spec.description,
        ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
        // The no-build source deploy (sourceCode, baseImageUri on a scratch image) is Preview,
        // which the Cloud Run Admin API accepts only at launch stage BETA.
        launchStage: CLOUD_RUN.launchStage,
        deletionProtection: args.deletionProtection,
        invokerIamDisabled: false,
        labels,
        scaling: { scalingMode: "AUTOMATIC", minInstanceCount: 0, maxInstanceCount: maxInstances },
        template: {
          serviceAccount: this.serviceAccount.email,
          timeout: `${spec.timeoutSeconds}s`,
          maxInstanceRequestConcurrency: spec.concurrency,
          executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
          scaling: { minInstanceCount: 0, maxInstanceCount: maxInstances },
          vpcAccess: {
            networkInterfaces: [{ network: args.network, subnetwork: args.subnetwork }],
            egress: "PRIVATE_RANGES_ONLY",
          },
          labels,
          containers: [
            {
              image: CLOUD_RUN.sourceDeployImage,
              baseImageUri: serviceBaseImage(region.gcpRegion),
              sourceCode: {
                cloudStorageSource: {
                  bucket: args.source.bucket,
                  object: args.source.object,
                  generation: args.source.generation,
                },
              },
              commands: [...SERVICE_CONTAINER.command],
              args: [...SERVICE_CONTAINER.args],
              ports: { containerPort: SERVICE_CONTAINER.port },
              resources: {
                limits: { memory: `${spec.memoryMiB}Mi`, cpu: String(spec.cpu) },
                cpuIdle: true,
                startupCpuBoost: true,
              },
              envs,
              startupProbe: probe(CLOUD_RUN.startupProbe),
              livenessProbe: probe(CLOUD_RUN.livenessProbe),
            },
          ],
        },
        traffics,
      },
      { ...this.childOpts, dependsOn: [...args.apis.services, ...granted] },
    );
    // The URL is only handed out once the service exists.
    this.url = waitFor(url, [this.service]);
    if (percent !== undefined && percent < 100) {
      this.canaryUrl = this.url.apply((u) =>
        u.replace("https://", `https://${CLOUD_RUN.canaryTag}---`),
      );
    }
    this.registerOutputs({ url: this.url, serviceAccount: this.serviceAccount.email });
  }

  /**
   * Lets `member` call this service (`roles/run.invoker` on exactly this service).
   * @param key stable suffix of the binding's resource name, e.g. the caller's name
   */
  grantInvoke(member: pulumi.Input<string>, key: string): gcp.cloudrunv2.ServiceIamMember {
    return new gcp.cloudrunv2.ServiceIamMember(
      `${this.baseName}-invoker-${key}`,
      {
        project: this.project,
        location: this.location,
        name: this.service.name,
        role: "roles/run.invoker",
        member,
      },
      this.childOpts,
    );
  }

  private currentStableRevision(name: string): pulumi.Output<string | undefined> {
    const id = `projects/${this.project}/locations/${this.location}/services/${this.serviceName}`;
    const current = gcp.cloudrunv2.Service.get(`${name}-deployed`, id, undefined, {
      parent: this,
    });
    return pulumi
      .all([current.traffics, current.latestReadyRevision])
      .apply(([traffics, latestReadyRevision]) =>
        stableRevisionOf({ traffics: traffics ?? [], latestReadyRevision }),
      );
  }
}

function validate(component: Service, args: ServiceArgs): void {
  const { spec } = args;
  const limits = CLOUD_RUN_LIMITS;
  const range = (field: string, value: number, limit: IntRange, unit: string) => () =>
    checkRange(component, field, value, limit.min, limit.max, unit);
  const minCpu = minCpuForMemory(spec.memoryMiB);
  const variables = [...Object.keys(args.env ?? {}), ...Object.keys(args.secrets ?? {})];
  checkAll(component, [
    ...platformChecks(component, args),
    () =>
      checkOneOf(
        component,
        "region.id",
        args.region.id,
        args.regions.map((r) => r.id),
      ),
    range("spec.memoryMiB", spec.memoryMiB, limits.memoryMiB, "MiB"),
    () => checkOneOf(component, "spec.cpu", String(spec.cpu), limits.cpus.map(String)),
    () => {
      if (spec.cpu < minCpu) {
        throw new pulumi.ResourceError(
          `\`spec.cpu\` must be at least ${minCpu} for ${spec.memoryMiB} MiB of memory (Cloud Run), ` +
            `but ${spec.cpu} was provided`,
          component,
        );
      }
    },
    range("spec.timeoutSeconds", spec.timeoutSeconds, limits.timeoutSeconds, "seconds"),
    range("spec.concurrency", spec.concurrency, limits.concurrency, "requests per instance"),
    range("maxInstances", args.maxInstances ?? spec.maxInstances, limits.maxInstances, "instances"),
    ...(args.rollout
      ? [range("rollout.percent", args.rollout.percent, limits.rolloutPercent, "percent")]
      : []),
    ...variables.map((variable) => () => {
      if (!/^[A-Z][A-Z0-9_]*$/.test(variable)) {
        throw new pulumi.ResourceError(
          `environment variable names must be upper-case letters, digits and underscores, ` +
            `but "${variable}" was provided`,
          component,
        );
      }
    }),
  ]);
}
