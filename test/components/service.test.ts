import * as gcp from "@pulumi/gcp";
import { expect } from "chai";
import { Apis } from "../../components/apis";
import {
  Service,
  type ServiceArgs,
  rolloutTraffic,
  stableRevisionOf,
} from "../../components/service";
import { getService } from "../../runtime/catalog/services";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

const SOURCE = {
  bucket: "avalo-us-bundles",
  object: `ranking-engine/${"c".repeat(64)}.tar.gz`,
  generation: "1700000000000123",
};
const NETWORK = "projects/avalo-us/global/networks/avalo-us";
const SUBNET = "projects/avalo-us/regions/us-west1/subnetworks/avalo-us-us-west";

function newService(overrides: Partial<ServiceArgs> = {}, name = "ranking-engine-us-west") {
  const base = platformArgs("us");
  const apis = new Apis("apis", { project: base.project });
  return new Service(name, {
    ...base,
    apis,
    spec: getService("ranking-engine"),
    region: base.regions[1],
    projectNumber: "123456789012",
    source: SOURCE,
    network: NETWORK,
    subnetwork: SUBNET,
    env: { REDIS_PORT: "6378", AVALO_REGION: "us-west", REDIS_HOST: "10.0.0.3" },
    secrets: { REDIS_PASSWORD: { secret: "projects/1/secrets/avalo-redis-us-west-auth" } },
    deletionProtection: true,
    ...overrides,
  });
}

type Inputs = Record<string, unknown>;
const template = (r: { inputs: Inputs }) => r.inputs.template as Inputs;
const container = (r: { inputs: Inputs }) => (template(r).containers as Inputs[])[0];

describe("Service", () => {
  it("runs its bundle archive through the no-build source deploy with the table's memory, cpu, timeout and scaling", async () => {
    const { resources } = await runComponent(() => newService());
    const run = named(resources, "ranking-engine-us-west");
    expect(run.type).to.equal("gcp:cloudrunv2/service:Service");
    expect(run.inputs).to.include({
      name: "ranking-engine",
      location: "us-west1",
      project: "avalo-us",
      ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
      launchStage: "BETA",
      deletionProtection: true,
      invokerIamDisabled: false,
    });
    expect(run.inputs.scaling).to.deep.equal({
      scalingMode: "AUTOMATIC",
      minInstanceCount: 0,
      maxInstanceCount: 100,
    });
    expect(run.inputs).not.to.have.property("buildConfig");
    const t = template(run);
    expect(t).to.include({
      serviceAccount: "ranking-engine-us-west@avalo-us.iam.gserviceaccount.com",
      timeout: "45s",
      maxInstanceRequestConcurrency: 80,
      executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
    });
    expect(t.scaling).to.deep.equal({ minInstanceCount: 0, maxInstanceCount: 100 });
    expect(t.vpcAccess).to.deep.equal({
      networkInterfaces: [{ network: NETWORK, subnetwork: SUBNET }],
      egress: "PRIVATE_RANGES_ONLY",
    });
    const c = container(run);
    expect(c.image).to.equal("scratch");
    expect(c.baseImageUri).to.equal(
      "us-west1-docker.pkg.dev/serverless-runtimes/google-24-full/runtimes/nodejs24",
    );
    expect(c.sourceCode).to.deep.equal({ cloudStorageSource: SOURCE });
    expect(c.commands).to.deep.equal(["node"]);
    expect(c.args).to.deep.equal(["index.js"]);
    expect(c.resources).to.deep.equal({
      limits: { memory: "2048Mi", cpu: "1" },
      cpuIdle: true,
      startupCpuBoost: true,
    });
    const probe = { httpGet: { path: "/healthz", port: 8080 }, initialDelaySeconds: 0 };
    expect(c.startupProbe).to.deep.equal({
      ...probe,
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 24,
    });
    expect(c.livenessProbe).to.deep.equal({
      ...probe,
      periodSeconds: 30,
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
    expect(run.inputs.traffics).to.deep.equal([
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 },
    ]);
    const labels = {
      app: "avalo",
      geography: "us",
      region: "us-west",
      env: "prod",
      service: "ranking-engine",
    };
    expect(run.inputs.labels).to.deep.equal(labels);
    expect(t.labels).to.deep.equal(labels);
  });

  it("sets exactly the env it is given, sorted, then the Secret Manager references", async () => {
    const { resources } = await runComponent(() => newService());
    const envs = container(named(resources, "ranking-engine-us-west")).envs as Inputs[];
    expect(envs).to.deep.equal([
      { name: "AVALO_REGION", value: "us-west" },
      { name: "REDIS_HOST", value: "10.0.0.3" },
      { name: "REDIS_PORT", value: "6378" },
      {
        name: "REDIS_PASSWORD",
        valueSource: {
          secretKeyRef: {
            secret: "projects/1/secrets/avalo-redis-us-west-auth",
            version: "latest",
          },
        },
      },
    ]);
  });

  it("runs as its own service account, with no build identity and no public invoker", async () => {
    const { resources } = await runComponent(() => newService());
    const account = named(resources, "ranking-engine-us-west-sa");
    expect(account.inputs).to.include({ accountId: "ranking-engine-us-west", project: "avalo-us" });
    expect(ofType(resources, "gcp:serviceaccount/iAMMember:IAMMember")).to.have.length(0);
    expect(ofType(resources, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember")).to.have.length(0);
    expect(ofType(resources, "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding")).to.have.length(
      0,
    );
  });

  it("grants run.invoker on exactly this service and waits for the grants it is given", async () => {
    const { resources } = await runComponent(() => {
      const service = newService({
        grants: (member, key) => [
          new gcp.secretmanager.SecretIamMember(`${key}-redis-auth`, {
            secretId: "avalo-redis-us-west-auth",
            role: "roles/secretmanager.secretAccessor",
            member,
          }),
        ],
      });
      service.grantInvoke(
        "serviceAccount:caller@avalo-us.iam.gserviceaccount.com",
        "fraud-analyzer",
      );
      return service;
    });
    const invoker = named(resources, "ranking-engine-us-west-invoker-fraud-analyzer");
    expect(invoker.inputs).to.deep.equal({
      project: "avalo-us",
      location: "us-west1",
      name: "ranking-engine",
      role: "roles/run.invoker",
      member: "serviceAccount:caller@avalo-us.iam.gserviceaccount.com",
    });
    const grant = named(resources, "ranking-engine-us-west-redis-auth");
    expect(grant.inputs.member).to.equal(
      "serviceAccount:ranking-engine-us-west@avalo-us.iam.gserviceaccount.com",
    );
    expect(named(resources, "ranking-engine-us-west").dependencies).to.include(grant.urn);
  });

  it("applies a max-instances override and explicit deletion protection", async () => {
    const { resources } = await runComponent(() =>
      newService({ maxInstances: 7, deletionProtection: false }),
    );
    const run = named(resources, "ranking-engine-us-west");
    expect(run.inputs.deletionProtection).to.equal(false);
    expect((run.inputs.scaling as Inputs).maxInstanceCount).to.equal(7);
    expect((template(run).scaling as Inputs).maxInstanceCount).to.equal(7);
  });

  it("splits traffic during a rollout: the latest revision tagged canary, the stable one the rest", async () => {
    const { resources } = await runComponent(() =>
      newService({ rollout: { percent: 10, stableRevision: "ranking-engine-00042-xyz" } }),
    );
    expect(named(resources, "ranking-engine-us-west").inputs.traffics).to.deep.equal([
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 10, tag: "canary" },
      {
        type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
        revision: "ranking-engine-00042-xyz",
        percent: 90,
        tag: "stable",
      },
    ]);
  });

  it("keeps a rollout's stable revision across runs and refuses a rollout without one", () => {
    expect(
      stableRevisionOf({
        traffics: [
          { tag: "canary" },
          { revision: "projects/p/locations/l/services/s/revisions/s-00007-abc", tag: "stable" },
        ],
        latestReadyRevision: "s-00009-def",
      }),
    ).to.equal("s-00007-abc");
    expect(stableRevisionOf({ traffics: [], latestReadyRevision: "s-00009-def" })).to.equal(
      "s-00009-def",
    );
    expect(rolloutTraffic(100, "ignored")).to.deep.equal([
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 },
    ]);
    expect(() => rolloutTraffic(5, undefined)).to.throw(
      "a rollout of 5% needs a stable revision to keep 95% of the traffic, but the service has no ready revision yet; deploy it at 100% first",
    );
  });

  const invalid: [string, Partial<ServiceArgs>, string][] = [
    [
      "max instances above 1000",
      { maxInstances: 1001 },
      "`maxInstances` must be 1–1000 instances, but 1001 was provided",
    ],
    [
      "a rollout of 0%",
      { rollout: { percent: 0, stableRevision: "x" } },
      "`rollout.percent` must be 1–100 percent, but 0 was provided",
    ],
    [
      "8 GiB on one vCPU",
      { spec: { ...getService("ai-inference"), cpu: 1 } },
      "`spec.cpu` must be at least 2 for 8192 MiB of memory (Cloud Run), but 1 was provided",
    ],
    [
      "a timeout above an hour",
      { spec: { ...getService("batch-processor"), timeoutSeconds: 4000 } },
      "`spec.timeoutSeconds` must be 1–3600 seconds, but 4000 was provided",
    ],
    [
      "a region outside the stack's regions",
      { region: { id: "eu-west", gcpRegion: "europe-west1" } },
      '`region.id` must be one of us-east, us-west, but "eu-west" was provided',
    ],
    [
      "a lower-case env variable",
      { env: { redis_host: "x" } },
      'environment variable names must be upper-case letters, digits and underscores, but "redis_host" was provided',
    ],
  ];
  it("names every bad argument at once, in one error, before creating anything", async () => {
    const { error, resources } = await runFailing(() =>
      newService({ maxInstances: 1001, rollout: { percent: 0, stableRevision: "x" } }),
    );
    expect(error.message).to.equal(
      "2 invalid arguments:\n" +
        "  `maxInstances` must be 1–1000 instances, but 1001 was provided\n" +
        "  `rollout.percent` must be 1–100 percent, but 0 was provided",
    );
    expect(
      resources.filter(
        (r) => r.type.startsWith("gcp:cloudrunv2") || r.type.startsWith("gcp:serviceaccount"),
      ),
    ).to.have.length(0);
  });

  for (const [title, overrides, message] of invalid) {
    it(`rejects ${title} before creating anything`, async () => {
      const { error, resources } = await runFailing(() => newService(overrides));
      expect(error.message).to.equal(message);
      expect(
        resources.filter(
          (r) => r.type.startsWith("gcp:cloudrunv2") || r.type.startsWith("gcp:serviceaccount"),
        ),
      ).to.have.length(0);
    });
  }
});
