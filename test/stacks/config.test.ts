import { expect } from "chai";
import {
  AVALO_CONFIG,
  AVALO_CONFIG_KEYS,
  StackConfigError,
  closestKey,
  loadStackConfig,
  readStackFile,
} from "../../stacks/config";
import { runOffline } from "../../stacks/offline/mocks";
import { defineStack } from "../../stacks/program";
import { STACK_NAMES } from "../../runtime/topology";

const PROJECT_RULE =
  "6–30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen";
const SERVICE_LIST =
  "media-processor, ai-inference, pdf-generator, fraud-analyzer, batch-processor, ranking-engine, " +
  "analytics-aggregator, user-worker, match-worker, feed-worker, notification-worker";
const US_REGIONS =
  "us-central1, us-east1, us-east4, us-east5, us-south1, us-west1, us-west2, us-west3, us-west4";

interface BadConfig {
  readonly title: string;
  readonly stack?: string;
  /** Keys to set (undefined removes the key) on top of the stack's real config file. */
  readonly set: Readonly<Record<string, unknown>>;
  readonly message: string;
  readonly key: string;
}

const APPS = {
  androidPackage: "app.avalo.android",
  iosBundleId: "app.avalo.ios",
  webOrigin: "https://us.avalo.app",
};

const BAD_CONFIGS: readonly BadConfig[] = [
  {
    title: "an App Check mode that does not exist",
    set: { "avalo:appCheckEnforcement": "monitor" },
    key: "avalo:appCheckEnforcement",
    message:
      'avalo:appCheckEnforcement: "monitor" is not an App Check mode; allowed: unenforced, enforced',
  },
  {
    title: "a client app key that does not exist",
    set: { "avalo:clientApps": { ...APPS, windowsPackage: "x" } },
    key: "avalo:clientApps.windowsPackage",
    message:
      'avalo:clientApps.windowsPackage: "windowsPackage" is not a key of avalo:clientApps; ' +
      "allowed: androidPackage, iosBundleId, webOrigin, androidSha256, iosTeamId",
  },
  {
    title: "client apps without a web origin",
    set: {
      "avalo:clientApps": { androidPackage: "app.avalo.android", iosBundleId: "app.avalo.ios" },
    },
    key: "avalo:clientApps.webOrigin",
    message:
      "avalo:clientApps.webOrigin is not set; allowed: an https origin without path or port, such as https://app.avalo.example",
  },
  {
    title: "a web origin over http",
    set: { "avalo:clientApps": { ...APPS, webOrigin: "http://us.avalo.app" } },
    key: "avalo:clientApps.webOrigin",
    message:
      'avalo:clientApps.webOrigin: "http://us.avalo.app" is not an https origin; ' +
      "allowed: an https origin without path or port, such as https://app.avalo.example",
  },
  {
    title: "a CORS origin with a path",
    set: { "avalo:corsOrigins": ["https://us.avalo.app", "https://us.avalo.app/upload"] },
    key: "avalo:corsOrigins[1]",
    message:
      'avalo:corsOrigins[1]: "https://us.avalo.app/upload" is not an origin; ' +
      "allowed: an origin such as https://app.avalo.example (scheme, host and optional port), or *",
  },
  {
    title: "a project id with uppercase letters",
    set: { "gcp:project": "Avalo-US" },
    key: "gcp:project",
    message: `gcp:project: "Avalo-US" is not a valid GCP project id; allowed: ${PROJECT_RULE}`,
  },
  {
    title: "a project id shorter than 6 characters",
    set: { "gcp:project": "avalo" },
    key: "gcp:project",
    message: `gcp:project: "avalo" is not a valid GCP project id; allowed: ${PROJECT_RULE}`,
  },
  {
    title: "a project id ending with a hyphen",
    set: { "gcp:project": "avalo-us-" },
    key: "gcp:project",
    message: `gcp:project: "avalo-us-" is not a valid GCP project id; allowed: ${PROJECT_RULE}`,
  },
  {
    title: "a missing project id",
    set: { "gcp:project": undefined },
    key: "gcp:project",
    message: `gcp:project is not set; allowed: ${PROJECT_RULE}`,
  },
  {
    title: "an unknown environment",
    set: { "avalo:environment": "production" },
    key: "avalo:environment",
    message: `avalo:environment: "production" is not an environment; allowed: prod, staging, dev`,
  },
  {
    title: "a region override outside the geography",
    set: { "avalo:regions": { "us-east": "europe-west1" } },
    key: "avalo:regions.us-east",
    message: `avalo:regions.us-east: "europe-west1" is not allowed for geography us; allowed: ${US_REGIONS}`,
  },
  {
    title: "an unknown region id",
    set: { "avalo:regions": { "us-north": "us-east4" } },
    key: "avalo:regions.us-north",
    message: `avalo:regions.us-north: "us-north" is not a region of geography us; allowed: us-east, us-west`,
  },
  {
    title: "a region of another geography",
    stack: "eu-west",
    set: { "avalo:regions": { "us-east": "us-east1" } },
    key: "avalo:regions.us-east",
    message: `avalo:regions.us-east: "us-east" is not a region of geography eu; allowed: eu-west, eu-central`,
  },
  {
    title: "two regions on the same GCP region",
    set: { "avalo:regions": { "us-west": "us-east1" } },
    key: "avalo:regions.us-west",
    message:
      `avalo:regions.us-west: "us-east1" is already used by us-east; ` +
      `allowed: a GCP region not used by another region of geography us`,
  },
  {
    title: "regions that are not a map",
    set: { "avalo:regions": "us-east1" },
    key: "avalo:regions",
    message: `avalo:regions: "us-east1" is not a map; allowed: a map of us-east, us-west to ${US_REGIONS}`,
  },
  {
    title: "max instances above 1000",
    set: { "avalo:maxInstances": { "ranking-engine": 5000 } },
    key: "avalo:maxInstances.ranking-engine",
    message:
      "avalo:maxInstances.ranking-engine: 5000 is out of range; " +
      "allowed: an integer from 1 to 1000 (instances per region)",
  },
  {
    title: "fractional max instances",
    set: { "avalo:maxInstances": { "fraud-analyzer": 2.5 } },
    key: "avalo:maxInstances.fraud-analyzer",
    message:
      "avalo:maxInstances.fraud-analyzer: 2.5 is not an integer; " +
      "allowed: an integer from 1 to 1000 (instances per region)",
  },
  {
    title: "max instances for an unknown service",
    set: { "avalo:maxInstances": { "search-engine": 10 } },
    key: "avalo:maxInstances.search-engine",
    message: `avalo:maxInstances.search-engine: "search-engine" is not a service; allowed: ${SERVICE_LIST}`,
  },
  {
    title: "a Redis size of 0 GB",
    set: { "avalo:redisMemorySizeGb": 0 },
    key: "avalo:redisMemorySizeGb",
    message: "avalo:redisMemorySizeGb: 0 is out of range; allowed: an integer from 1 to 300 (GB)",
  },
  {
    title: "a Redis size that is not a number",
    set: { "avalo:redisMemorySizeGb": "big" },
    key: "avalo:redisMemorySizeGb",
    message: `avalo:redisMemorySizeGb: "big" is not a number; allowed: an integer from 1 to 300 (GB)`,
  },
  {
    title: "a rollout above 100 percent",
    set: { "avalo:rollout": { "ranking-engine": 150 } },
    key: "avalo:rollout.ranking-engine",
    message:
      "avalo:rollout.ranking-engine: 150 is out of range; allowed: an integer from 1 to 100 (percent of traffic)",
  },
  {
    title: "deletion protection that is not a boolean",
    set: { "avalo:deletionProtection": "yes" },
    key: "avalo:deletionProtection",
    message: `avalo:deletionProtection: "yes" is not a boolean; allowed: true, false`,
  },
  {
    title: "an alert email without a domain",
    set: { "avalo:alertEmail": "oncall" },
    key: "avalo:alertEmail",
    message: `avalo:alertEmail: "oncall" is not an email address; allowed: an email address such as oncall@example.com`,
  },
  {
    title: "a negative budget",
    set: { "avalo:budgetMonthlyUsd": -5 },
    key: "avalo:budgetMonthlyUsd",
    message: "avalo:budgetMonthlyUsd: -5 is out of range; allowed: a positive number of US dollars",
  },
  {
    title: "the load generator enabled on a prod stack",
    set: {
      "avalo:loadGenerator": { enabled: true, targetUrl: "https://staging.avalo.example" },
    },
    key: "avalo:loadGenerator.enabled",
    message:
      "avalo:loadGenerator.enabled: true is allowed only when avalo:environment is staging, but it is prod; " +
      "allowed: false, or true on a stack whose avalo:environment is staging",
  },
  {
    title: "the load generator enabled on a dev stack",
    set: {
      "avalo:environment": "dev",
      "avalo:loadGenerator": { enabled: true, targetUrl: "https://staging.avalo.example" },
    },
    key: "avalo:loadGenerator.enabled",
    message:
      "avalo:loadGenerator.enabled: true is allowed only when avalo:environment is staging, but it is dev; " +
      "allowed: false, or true on a stack whose avalo:environment is staging",
  },
  {
    title: "a load generator target that is not https",
    set: {
      "avalo:environment": "staging",
      "avalo:loadGenerator": { enabled: true, targetUrl: "http://staging.avalo.example" },
    },
    key: "avalo:loadGenerator.targetUrl",
    message:
      'avalo:loadGenerator.targetUrl: "http://staging.avalo.example" is not an https URL; ' +
      "allowed: an https URL such as https://staging.example.com",
  },
  {
    title: "more load generator tasks than Cloud Run allows",
    set: { "avalo:loadGenerator": { tasks: 20000 } },
    key: "avalo:loadGenerator.tasks",
    message:
      "avalo:loadGenerator.tasks: 20000 is out of range; allowed: an integer from 1 to 10000 (tasks)",
  },
  {
    title: "a load generator parallelism above its tasks",
    set: { "avalo:loadGenerator": { tasks: 4, parallelism: 8 } },
    key: "avalo:loadGenerator.parallelism",
    message:
      "avalo:loadGenerator.parallelism: 8 is more than the tasks of an execution; " +
      "allowed: an integer from 1 to 4 (avalo:loadGenerator.tasks)",
  },
  {
    title: "a load generator CPU count Cloud Run does not offer",
    set: { "avalo:loadGenerator": { cpu: 3 } },
    key: "avalo:loadGenerator.cpu",
    message: "avalo:loadGenerator.cpu: 3 is not a Cloud Run CPU count; allowed: 1, 2, 4, 6, 8",
  },
  {
    title: "a load generator enabled flag that is not a boolean",
    set: { "avalo:loadGenerator": { enabled: "yes" } },
    key: "avalo:loadGenerator.enabled",
    message: 'avalo:loadGenerator.enabled: "yes" is not a boolean; allowed: true, false',
  },
  {
    title: "an unknown load generator key",
    set: { "avalo:loadGenerator": { users: 1000000 } },
    key: "avalo:loadGenerator.users",
    message:
      'avalo:loadGenerator.users: "users" is not a key of avalo:loadGenerator; allowed: enabled, targetUrl, ' +
      "tasks, parallelism, usersPerTask, ratePerSecond, durationSeconds, cpu, memoryMiB, invokes",
  },
  {
    title: "a load generator invoking an unknown service",
    set: { "avalo:loadGenerator": { invokes: ["search-engine"] } },
    key: "avalo:loadGenerator.invokes",
    message:
      'avalo:loadGenerator.invokes: ["search-engine"] names a service that does not exist; ' +
      `allowed: a list of services: ${SERVICE_LIST}`,
  },
  {
    title: "an unknown stack name",
    stack: "us-central",
    set: {},
    key: "stack",
    message: `stack: "us-central" is not a stack of this project; allowed: us-east, eu-west, asia-east`,
  },
];

function configFor(stack: string, set: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const base = STACK_NAMES.includes(stack as (typeof STACK_NAMES)[number])
    ? readStackFile(stack)
    : readStackFile("us-east");
  const config: Record<string, unknown> = { ...base, ...set };
  for (const [key, value] of Object.entries(set)) if (value === undefined) delete config[key];
  return config;
}

/** Runs the whole program (config, then the stack) and returns what it threw. */
async function runBad(stack: string, set: Readonly<Record<string, unknown>>) {
  return runOffline({ project: "avalo", stack, config: configFor(stack, set) }, () => {
    try {
      defineStack(loadStackConfig(), []);
      return undefined;
    } catch (err) {
      return err;
    }
  });
}

describe("stack config", () => {
  describe("rejects a bad config before any resource is registered", () => {
    for (const bad of BAD_CONFIGS) {
      it(`rejects ${bad.title}`, async () => {
        const { resources, result } = await runBad(bad.stack ?? "us-east", bad.set);
        expect(result).to.be.instanceOf(StackConfigError);
        const err = result as StackConfigError;
        expect(err.message).to.equal(bad.message);
        expect(err.key).to.equal(bad.key);
        expect(resources).to.have.length(0);
      });
    }
  });

  it("rejects a misspelt key before any resource, naming the closest known key", async () => {
    const { resources, result } = await runBad("us-east", { "avalo:redisMemorySizeGB": 10 });
    expect(resources).to.have.length(0);
    const err = result as StackConfigError;
    expect(err).to.be.instanceOf(StackConfigError);
    expect(err.key).to.equal("avalo:redisMemorySizeGB");
    expect(err.value).to.equal(10);
    expect(err.message).to.equal(
      "avalo:redisMemorySizeGB: 10 is not a config key of this project (did you mean `avalo:redisMemorySizeGb`?); " +
        `allowed: the keys of avalo: ${AVALO_CONFIG_KEYS.join(", ")}`,
    );
  });

  it("reports every bad key and value of a stack at once", async () => {
    const { resources, result } = await runBad("us-east", {
      "avalo:redisMemorySizeGb": 0,
      "avalo:maxInstances": { "ranking-engine": 5000, "search-engine": 2 },
      "avalo:alertEmial": "oncall@avalo.app",
    });
    expect(resources).to.have.length(0);
    const err = result as StackConfigError;
    expect(err.issues.map((i) => i.key)).to.deep.equal([
      "avalo:alertEmial",
      "avalo:redisMemorySizeGb",
      "avalo:maxInstances.ranking-engine",
      "avalo:maxInstances.search-engine",
    ]);
    expect(err.message.split("\n")).to.deep.equal([
      "4 config errors:",
      `  avalo:alertEmial: "oncall@avalo.app" is not a config key of this project (did you mean \`avalo:alertEmail\`?); allowed: the keys of avalo: ${AVALO_CONFIG_KEYS.join(", ")}`,
      "  avalo:redisMemorySizeGb: 0 is out of range; allowed: an integer from 1 to 300 (GB)",
      "  avalo:maxInstances.ranking-engine: 5000 is out of range; allowed: an integer from 1 to 1000 (instances per region)",
      `  avalo:maxInstances.search-engine: "search-engine" is not a service; allowed: ${SERVICE_LIST}`,
    ]);
  });

  it("reports every bad key of avalo:loadGenerator at once", async () => {
    const { result } = await runBad("us-east", {
      "avalo:loadGenerator": { enabled: true, cpu: 3, users: 10 },
    });
    expect((result as StackConfigError).issues.map((i) => i.key)).to.deep.equal([
      "avalo:loadGenerator.cpu",
      "avalo:loadGenerator.users",
      "avalo:loadGenerator.enabled",
    ]);
  });

  it("derives the known keys from the zod schema and suggests only close ones", () => {
    expect(AVALO_CONFIG_KEYS).to.deep.equal(
      Object.keys(AVALO_CONFIG.shape).map((k) => `avalo:${k}`),
    );
    expect(AVALO_CONFIG_KEYS).to.include.members(["avalo:allowDestroy", "avalo:usageModel"]);
    expect(closestKey("avalo:maxinstances")).to.equal("avalo:maxInstances");
    expect(closestKey("avalo:budget")).to.equal(undefined);
  });

  it("rejects an avalo:allowDestroy that is not a list of names", async () => {
    const { result } = await runBad("us-east", { "avalo:allowDestroy": "us-cache-us-east" });
    expect((result as StackConfigError).message).to.equal(
      'avalo:allowDestroy: "us-cache-us-east" is not a list; allowed: a list of URNs or names of stateful resources a change may replace or delete',
    );
  });

  it("exposes the key, the value and what is allowed on the error", async () => {
    const { result } = await runBad("us-east", { "avalo:regions": { "us-east": "asia-east1" } });
    const err = result as StackConfigError;
    expect(err.value).to.equal("asia-east1");
    expect(err.allowed).to.equal(US_REGIONS);
    expect(err.name).to.equal("StackConfigError");
  });

  for (const stack of STACK_NAMES) {
    it(`reads the committed Pulumi.${stack}.yaml with its defaults`, async () => {
      const { result } = await runOffline(
        { project: "avalo", stack, config: readStackFile(stack) },
        loadStackConfig,
      );
      expect(result.stack).to.equal(stack);
      expect(result.geography.stack).to.equal(stack);
      expect(result.project).to.equal(result.geography.projectId);
      expect(result.environment).to.equal("prod");
      expect(result.deletionProtection).to.equal(true);
      expect(result.redisMemorySizeGb).to.equal(5);
      expect(result.alertEmail).to.equal("oncall@avalo.app");
      expect(result.maxInstances).to.deep.equal({});
      expect(result.rollout).to.deep.equal({});
      const g = result.geography.id;
      expect(result.clientApps).to.deep.equal({ ...APPS, webOrigin: `https://${g}.avalo.app` });
      expect(result.appCheckEnforcement).to.equal("enforced");
      expect(result.corsOrigins).to.deep.equal([`https://${g}.avalo.app`]);
    });
  }

  it("defaults App Check to enforced in prod and unenforced elsewhere; an explicit mode wins", async () => {
    const mode = async (set: Readonly<Record<string, unknown>>) =>
      (
        await runOffline(
          { project: "avalo", stack: "us-east", config: configFor("us-east", set) },
          loadStackConfig,
        )
      ).result.appCheckEnforcement;
    expect(await mode({})).to.equal("enforced");
    expect(await mode({ "avalo:environment": "staging" })).to.equal("unenforced");
    expect(await mode({ "avalo:appCheckEnforcement": "unenforced" })).to.equal("unenforced");
  });

  it("reads avalo:loadGenerator on a staging stack with its defaults, and none when absent or disabled", async () => {
    const read = async (set: Readonly<Record<string, unknown>>) =>
      (
        await runOffline(
          { project: "avalo", stack: "us-east", config: configFor("us-east", set) },
          loadStackConfig,
        )
      ).result;
    const staging = { "avalo:environment": "staging" };
    expect(await read({ ...staging, "avalo:loadGenerator": { enabled: true } })).to.deep.include({
      loadGenerator: {
        tasks: 10,
        parallelism: 10,
        usersPerTask: 10_000,
        ratePerSecond: 10_000,
        durationSeconds: 600,
        cpu: 2,
        memoryMiB: 2048,
        invokes: ["ai-inference", "fraud-analyzer", "ranking-engine", "analytics-aggregator"],
      },
    });
    expect(
      await read({
        ...staging,
        "avalo:loadGenerator": { enabled: true, targetUrl: "https://staging.avalo.example" },
      }),
    ).to.deep.include({
      loadGenerator: {
        targetUrl: "https://staging.avalo.example",
        tasks: 10,
        parallelism: 10,
        usersPerTask: 10_000,
        ratePerSecond: 10_000,
        durationSeconds: 600,
        cpu: 2,
        memoryMiB: 2048,
        invokes: [],
      },
    });
    expect(await read(staging)).to.not.have.property("loadGenerator");
    expect(
      await read({ ...staging, "avalo:loadGenerator": { enabled: false, tasks: 50 } }),
    ).to.not.have.property("loadGenerator");
    for (const stack of STACK_NAMES) {
      expect(readStackFile(stack), stack).to.not.have.property("avalo:loadGenerator");
    }
  });

  it("resolves regions to their defaults and applies overrides in geography order", async () => {
    const config = configFor("us-east", { "avalo:regions": { "us-west": "us-west2" } });
    const { result } = await runOffline(
      { project: "avalo", stack: "us-east", config },
      loadStackConfig,
    );
    expect(result.regions).to.deep.equal([
      { id: "us-east", gcpRegion: "us-east1" },
      { id: "us-west", gcpRegion: "us-west2" },
    ]);
  });

  it("turns deletion protection off by default outside prod and reads the optional maps", async () => {
    const config = configFor("eu-west", {
      "avalo:environment": "dev",
      "avalo:budgetMonthlyUsd": undefined,
      "avalo:maxInstances": { "ranking-engine": 3 },
      "avalo:rollout": { "fraud-analyzer": 5 },
    });
    const { result } = await runOffline(
      { project: "avalo", stack: "eu-west", config },
      loadStackConfig,
    );
    expect(result.deletionProtection).to.equal(false);
    expect(result.maxInstances).to.deep.equal({ "ranking-engine": 3 });
    expect(result.rollout).to.deep.equal({ "fraud-analyzer": 5 });
    expect(result).to.not.have.property("budgetMonthlyUsd");
  });
});
