import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CLOUD_RUN_LIMITS, type IntRange, minCpuForMemory } from "../runtime/catalog/limits";
import { OPERATIONS } from "../runtime/load/mix";
import { serviceOf } from "../runtime/load/operations";
import { SERVICES, type ServiceName } from "../runtime/catalog/services";
import type { Apis } from "./apis";
import type { PlatformArgs } from "./context";
import { agentKey } from "./agent-key";
import { cloudRunServiceAgent } from "./service";
import { platformLabels } from "./labels";
import { gcpName } from "./naming";
import { checkAll, checkOneOf, checkPattern, checkRange, platformChecks } from "./validation";

/**
 * What a load test runs: where it sends traffic and how much. The stack reads it from
 * `avalo:loadGenerator` (stacks/config.ts); the defaults and limits are {@link LOAD_GENERATOR}.
 */
export interface LoadGeneratorSettings {
  /**
   * URL the simulator sends its operations to, https only; `{service}` in it is replaced by each
   * operation's service. @default the stack's own services in the home region,
   * `https://{service}-<project number>.<region>.run.app` (see `serviceUrl`)
   */
  readonly targetUrl?: string;
  /** Tasks per execution, each simulating `usersPerTask` users (Cloud Run: 1–10,000). @default 10 */
  readonly tasks?: number;
  /** Tasks running at once, 1–`tasks`. @default `tasks` */
  readonly parallelism?: number;
  /** Virtual users per task (1–100,000: one task holds 100K users in under 1 GiB). @default 10,000 */
  readonly usersPerTask?: number;
  /** Target operations per second of the whole execution (1–1,000,000). @default 10,000 */
  readonly ratePerSecond?: number;
  /** Length of the measured run, 10 s–12 h; the task timeout adds a margin. @default 600 */
  readonly durationSeconds?: number;
  /** vCPUs per task (CLOUD_RUN_LIMITS.cpus). @default 2 */
  readonly cpu?: number;
  /** Memory per task (CLOUD_RUN_LIMITS.memoryMiB). @default 2048 */
  readonly memoryMiB?: number;
  /**
   * Services of the table the simulator calls with Google ID tokens; the job's account gets
   * `roles/run.invoker` on each of them in the home region (through `grants`).
   * @default the services of the simulator's operations ({@link simulatorServices}) when the
   * target is per service (`{service}` in it, or the default), else none
   */
  readonly invokes?: readonly ServiceName[];
}

/** Defaults and limits of {@link LoadGeneratorSettings}, in one place (units in the names). */
export const LOAD_GENERATOR = {
  /** Name of the job, its account, its key and its script bundle. */
  name: "load-generator",
  /** The simulator's job entry point, bundled with `buildScriptBundle`. */
  entry: "runtime/load/job.ts",
  defaults: {
    tasks: 10,
    usersPerTask: 10_000,
    ratePerSecond: 10_000,
    durationSeconds: 600,
    cpu: 2,
    memoryMiB: 2048,
  },
  limits: {
    tasks: { min: 1, max: 10_000 },
    usersPerTask: { min: 1, max: 100_000 },
    ratePerSecond: { min: 1, max: 1_000_000 },
    durationSeconds: { min: 10, max: 43_200 },
    memoryMiB: CLOUD_RUN_LIMITS.memoryMiB,
    cpus: CLOUD_RUN_LIMITS.cpus,
  },
  /** Added to the duration for the task timeout: start-up, ramp-down and the JSON report. */
  timeoutMarginSeconds: 300,
  /** What `targetUrl` accepts, also checked in `avalo:loadGenerator` (stacks/config.ts). */
  targetUrl: {
    pattern: /^https:\/\/[^\s/?#]+(\/\S*)?$/,
    rule: "an https URL such as https://staging.example.com",
  },
} as const;

/** Arguments of {@link LoadGenerator}. */
export interface LoadGeneratorArgs extends PlatformArgs, LoadGeneratorSettings {
  /** Enabled APIs (run, kms, storage); every child depends on them. */
  readonly apis: Apis;
  /**
   * The image built from the simulator's bundle, pinned by digest
   * (`ContainerImage.imageRef`); its entrypoint starts the bundle.
   */
  readonly image: pulumi.Input<string>;
  /** The project's number, for the Cloud Run service agent and the services' URLs. */
  readonly projectNumber: pulumi.Input<string>;
  /** Key ring of the home region (`Kms.keyRings[home]`), which gets the job's CMEK key. */
  readonly keyRing: pulumi.Input<string>;
  /** VPC network for Direct VPC egress (internal-ingress services are reached through it). */
  readonly network: pulumi.Input<string>;
  /** Subnetwork of the home region. */
  readonly subnetwork: pulumi.Input<string>;
  /**
   * Access the job's account needs, granted through other components' grant methods (invoke the
   * `invokes` services); the job waits for them. @default no grants
   */
  readonly grants?: (member: pulumi.Output<string>, key: string) => readonly pulumi.Resource[];
  /** Job delete protection and key protection; set explicitly per environment. */
  readonly deletionProtection: boolean;
}

/** Settings with every default applied (an absent target means the stack's own services). */
export type ResolvedLoadSettings = Required<Omit<LoadGeneratorSettings, "targetUrl">> &
  Pick<LoadGeneratorSettings, "targetUrl">;

/** Placeholder the simulator replaces with an operation's service name. */
const SERVICE_PLACEHOLDER = "{service}";

/**
 * The services the simulator's operations call over HTTP (`runtime/load/operations.ts`), in the
 * service table's order.
 */
function simulatorServices(): ServiceName[] {
  const called = new Set(OPERATIONS.map(serviceOf));
  return SERVICES.map((s) => s.name).filter((name) => called.has(name));
}

/** Applies the defaults of {@link LOAD_GENERATOR} (parallelism defaults to `tasks`). */
export function resolveLoadSettings(settings: LoadGeneratorSettings): ResolvedLoadSettings {
  const d = LOAD_GENERATOR.defaults;
  const tasks = settings.tasks ?? d.tasks;
  const perService =
    settings.targetUrl === undefined || settings.targetUrl.includes(SERVICE_PLACEHOLDER);
  return {
    ...(settings.targetUrl === undefined ? {} : { targetUrl: settings.targetUrl }),
    tasks,
    parallelism: settings.parallelism ?? tasks,
    usersPerTask: settings.usersPerTask ?? d.usersPerTask,
    ratePerSecond: settings.ratePerSecond ?? d.ratePerSecond,
    durationSeconds: settings.durationSeconds ?? d.durationSeconds,
    cpu: settings.cpu ?? d.cpu,
    memoryMiB: settings.memoryMiB ?? d.memoryMiB,
    invokes: settings.invokes ?? (perService ? simulatorServices() : []),
  };
}

/**
 * The environment the simulator's job entry reads. Users and rate are totals of the execution;
 * each task takes its share by `CLOUD_RUN_TASK_INDEX` / `CLOUD_RUN_TASK_COUNT` (set by Cloud Run).
 */
function loadEnvironment(
  settings: ResolvedLoadSettings,
  targetUrl: pulumi.Input<string>,
): Record<string, pulumi.Input<string>> {
  return {
    AVALO_LOAD_URL: targetUrl,
    AVALO_LOAD_USERS: String(settings.tasks * settings.usersPerTask),
    AVALO_LOAD_RATE: String(settings.ratePerSecond),
    AVALO_LOAD_DURATION: `${settings.durationSeconds}s`,
  };
}

/**
 * The optional Cloud Run Job that runs the load simulator (`runtime/load/job.ts`) sharded across
 * `tasks` tasks in the geography's home region, for a real 100K–1M-user test on staging. It runs
 * as its own service account with only the grants it is handed (invoker on the services it
 * targets; Cloud Run collects its stdout logs without any role), never retries a
 * task (a load test must not silently rerun), and encrypts with its own CMEK key, whose user is
 * the Cloud Run service agent.
 *
 * Deployment: Cloud Run jobs have no no-build source deploy (services do), so the job runs an
 * image built from the simulator's bundle archive (`ContainerImage`) and deployed by digest. A
 * code change changes the archive, hence the image digest, hence the job's image: the next
 * `pulumi up` updates the job. Run it with `gcloud run jobs execute`.
 *
 * Egress goes through the VPC (all traffic), so the internal-ingress services are reachable; a
 * target outside Google Cloud would need Cloud NAT, which this component does not declare. With
 * `deletionProtection` the key is protected like every key of the stack (GCP never deletes keys),
 * so turning the job off later stops at the key until it is unprotected (`pulumi state
 * unprotect`, then `deletionPolicy` DELETE).
 */
export class LoadGenerator extends pulumi.ComponentResource {
  readonly job: gcp.cloudrunv2.Job;
  /** The job's own runtime identity. */
  readonly serviceAccount: gcp.serviceaccount.Account;
  /** CMEK key of the job (home region), usable by the Cloud Run service agent only. */
  readonly key: gcp.kms.CryptoKey;
  /** Cloud Run job name, as `gcloud run jobs execute` takes it. */
  readonly jobName: string;
  /** GCP region of the job. */
  readonly location: string;
  /** The settings with their defaults. */
  readonly settings: ResolvedLoadSettings;

  constructor(name: string, args: LoadGeneratorArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:run:LoadGenerator", name, {}, opts);
    const settings = resolveLoadSettings(args);
    validate(this, args, settings);
    const { project } = args;
    const home = args.regions[0];
    this.settings = settings;
    this.location = home.gcpRegion;
    this.jobName = gcpName("cloudRunService", LOAD_GENERATOR.name);
    const childOpts = { parent: this, dependsOn: args.apis.services };
    const labels = platformLabels(args, home.id, { purpose: "load-test" });

    this.serviceAccount = new gcp.serviceaccount.Account(
      `${name}-sa`,
      {
        project,
        accountId: gcpName("serviceAccount", LOAD_GENERATOR.name, home.id),
        displayName: `load generator in ${home.id}`,
        description: `Runtime identity of the Cloud Run job ${this.jobName} (${home.gcpRegion})`,
      },
      childOpts,
    );
    const granted = args.grants?.(this.serviceAccount.member, name) ?? [];

    const { projectNumber } = args;
    const { key, grant: keyGrant } = agentKey(
      name,
      {
        keyRing: args.keyRing,
        keyName: LOAD_GENERATOR.name,
        agent: cloudRunServiceAgent(projectNumber),
        labels,
        deletionProtection: args.deletionProtection,
      },
      childOpts,
    );
    this.key = key;

    // The services' deterministic URL (`serviceUrl`), with the simulator's placeholder for the name.
    const ownServices = pulumi.interpolate`https://${SERVICE_PLACEHOLDER}-${projectNumber}.${home.gcpRegion}.run.app`;
    const env: Record<string, pulumi.Input<string>> = {
      ...loadEnvironment(settings, settings.targetUrl ?? ownServices),
      AVALO_REGION: home.id,
      AVALO_GEOGRAPHY: args.geography.id,
      AVALO_ENVIRONMENT: args.environment,
      GOOGLE_CLOUD_PROJECT: project,
    };
    this.job = new gcp.cloudrunv2.Job(
      name,
      {
        project,
        name: this.jobName,
        location: home.gcpRegion,
        launchStage: "GA",
        deletionProtection: args.deletionProtection,
        labels,
        template: {
          labels,
          taskCount: settings.tasks,
          parallelism: settings.parallelism,
          template: {
            serviceAccount: this.serviceAccount.email,
            encryptionKey: this.key.id,
            maxRetries: 0,
            timeout: `${settings.durationSeconds + LOAD_GENERATOR.timeoutMarginSeconds}s`,
            executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
            vpcAccess: {
              networkInterfaces: [{ network: args.network, subnetwork: args.subnetwork }],
              egress: "ALL_TRAFFIC",
            },
            containers: [
              {
                image: args.image,
                resources: {
                  limits: { cpu: String(settings.cpu), memory: `${settings.memoryMiB}Mi` },
                },
                envs: Object.keys(env)
                  .sort()
                  .map((key) => ({ name: key, value: env[key] })),
              },
            ],
          },
        },
      },
      { ...childOpts, dependsOn: [...args.apis.services, keyGrant, ...granted] },
    );
    this.registerOutputs({
      jobName: this.job.name,
      serviceAccount: this.serviceAccount.email,
    });
  }
}

function validate(
  component: LoadGenerator,
  args: LoadGeneratorArgs,
  settings: ResolvedLoadSettings,
): void {
  const { limits, targetUrl } = LOAD_GENERATOR;
  const range = (field: keyof typeof limits, value: number, unit: string) => () => {
    const limit = limits[field] as IntRange;
    checkRange(component, field, value, limit.min, limit.max, unit);
  };
  const minCpu = minCpuForMemory(settings.memoryMiB);
  checkAll(component, [
    ...platformChecks(component, args),
    () => {
      if (settings.targetUrl !== undefined) {
        checkPattern(component, "targetUrl", settings.targetUrl, targetUrl.pattern, targetUrl.rule);
      }
    },
    // Parallelism is bounded by tasks, so it is checked only once tasks is valid.
    () => {
      range("tasks", settings.tasks, "tasks")();
      checkRange(component, "parallelism", settings.parallelism, 1, settings.tasks, "tasks");
    },
    range("usersPerTask", settings.usersPerTask, "users"),
    range("ratePerSecond", settings.ratePerSecond, "operations per second"),
    range("durationSeconds", settings.durationSeconds, "seconds"),
    range("memoryMiB", settings.memoryMiB, "MiB"),
    () => checkOneOf(component, "cpu", String(settings.cpu), limits.cpus.map(String)),
    () => {
      if (settings.cpu < minCpu) {
        throw new pulumi.ResourceError(
          `\`cpu\` must be at least ${minCpu} for ${settings.memoryMiB} MiB of memory (Cloud Run), ` +
            `but ${settings.cpu} was provided`,
          component,
        );
      }
    },
  ]);
}
