import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import * as gcp from "@pulumi/gcp";
import type { PlanResource } from "../../plan/record";
import { Apis } from "../../components/apis";
import { type Bundle, buildScriptBundle } from "../../build/bundles";
import { bundleDockerfile } from "../../components/container-image";
import { extractArchive } from "../../cli/local/bundles";
import { LoadGenerator, type LoadGeneratorArgs } from "../../components/load-generator";
import { isValidName } from "../../components/naming";
import { evaluatePolicies } from "../../cli/preview/policies";
import { rules } from "../../policies/rules";
import { StackConfigError, loadStackConfig, readStackFile } from "../../stacks/config";
import { MOCK_PROJECT_NUMBER, runOffline } from "../../stacks/offline/mocks";
import { LOAD_JOB_BUNDLE, type StackOutputs, defineStack } from "../../stacks/program";
import { SERVICES } from "../../runtime/catalog/services";
import { isResourceError, named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

type Inputs = Record<string, unknown>;

const KEY_RING = "projects/avalo-us/locations/us-east1/keyRings/avalo-us-us-east";
const IMAGE_REF = `us-east1-docker.pkg.dev/avalo-us/avalo-images/load-generator@sha256:${"c".repeat(64)}`;
const JOB = "gcp:cloudrunv2/job:Job";

/** The component alone, with a grant handed in as the stack hands its invoker grants. */
function newGenerator(overrides: Partial<LoadGeneratorArgs> = {}) {
  const apis = new Apis("apis", { project: "avalo-us" });
  return new LoadGenerator("load", {
    ...platformArgs("us"),
    environment: "staging",
    apis,
    projectNumber: MOCK_PROJECT_NUMBER,
    targetUrl: "https://staging.avalo.example/api",
    tasks: 20,
    parallelism: 5,
    usersPerTask: 50_000,
    ratePerSecond: 40_000,
    durationSeconds: 900,
    image: IMAGE_REF,
    keyRing: KEY_RING,
    network: "projects/avalo-us/global/networks/avalo-us",
    subnetwork: "projects/avalo-us/regions/us-east1/subnetworks/avalo-us-east",
    grants: (member, key) => [
      new gcp.storage.BucketIAMMember(`${key}-read`, {
        bucket: "avalo-us-bundles",
        role: "roles/storage.objectViewer",
        member,
      }),
    ],
    deletionProtection: false,
    ...overrides,
  });
}

function template(job: PlanResource): Inputs {
  return (job.inputs.template as Inputs).template as Inputs;
}

function container(job: PlanResource): Inputs {
  return (template(job).containers as Inputs[])[0];
}

function envOf(job: PlanResource): Record<string, unknown> {
  return Object.fromEntries(
    (container(job).envs as Inputs[]).map((e) => [e.name, e.value ?? e.valueSource]),
  );
}

describe("LoadGenerator", function () {
  this.timeout(60_000);
  let resources: readonly PlanResource[];

  before(async () => {
    ({ resources } = await runComponent(() => newGenerator()));
  });

  it("declares one job in the home region with the configured tasks, parallelism and no retries", () => {
    const job = named(resources, "load");
    expect(job.type).to.equal(JOB);
    expect(job.inputs.name).to.equal("load-generator");
    expect(job.inputs.location).to.equal("us-east1");
    expect(job.inputs.project).to.equal("avalo-us");
    expect(job.inputs.deletionProtection).to.equal(false);
    const execution = job.inputs.template as Inputs;
    expect(execution.taskCount).to.equal(20);
    expect(execution.parallelism).to.equal(5);
    const task = template(job);
    expect(task.maxRetries).to.equal(0);
    expect(task.timeout).to.equal("1200s");
    expect(task.serviceAccount).to.equal("load-generator-us-east@avalo-us.iam.gserviceaccount.com");
    expect(task.executionEnvironment).to.equal("EXECUTION_ENVIRONMENT_GEN2");
    expect(task.vpcAccess).to.deep.equal({
      networkInterfaces: [
        {
          network: "projects/avalo-us/global/networks/avalo-us",
          subnetwork: "projects/avalo-us/regions/us-east1/subnetworks/avalo-us-east",
        },
      ],
      egress: "ALL_TRAFFIC",
    });
    expect(container(job).resources).to.deep.equal({ limits: { cpu: "2", memory: "2048Mi" } });
    expect(job.inputs.labels).to.deep.equal({
      purpose: "load-test",
      app: "avalo",
      geography: "us",
      region: "us-east",
      env: "staging",
    });
  });

  it("hands the simulator its target, total users, total rate and duration", () => {
    expect(envOf(named(resources, "load"))).to.deep.equal({
      AVALO_ENVIRONMENT: "staging",
      AVALO_GEOGRAPHY: "us",
      AVALO_LOAD_DURATION: "900s",
      AVALO_LOAD_RATE: "40000",
      AVALO_LOAD_URL: "https://staging.avalo.example/api",
      AVALO_LOAD_USERS: "1000000",
      AVALO_REGION: "us-east",
      GOOGLE_CLOUD_PROJECT: "avalo-us",
    });
  });

  it("runs the image it is given, pinned by digest, with no mounted bucket and no args", () => {
    const job = named(resources, "load");
    expect(container(job).image).to.equal(IMAGE_REF);
    expect(template(job)).not.to.have.property("volumes");
    expect(container(job)).not.to.have.property("args");
    expect(container(job)).not.to.have.property("volumeMounts");
  });

  it("encrypts with its own rotating key in the home key ring, usable by the Cloud Run agent only", () => {
    const key = named(resources, "load-key");
    expect(key.inputs).to.include({
      name: "load-generator",
      keyRing: KEY_RING,
      purpose: "ENCRYPT_DECRYPT",
      rotationPeriod: "7776000s",
      deletionPolicy: "DELETE",
    });
    expect(template(named(resources, "load")).encryptionKey).to.equal(
      `${KEY_RING}/cryptoKeys/load-generator`,
    );
    const grants = ofType(resources, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    expect(grants.map((g) => g.inputs)).to.deep.equal([
      {
        cryptoKeyId: `${KEY_RING}/cryptoKeys/load-generator`,
        role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        member: "serviceAccount:service-123456789012@serverless-robot-prod.iam.gserviceaccount.com",
      },
    ]);
  });

  it("waits for the key grant and the grants it is handed, and parents every child", () => {
    const job = named(resources, "load");
    const component = resources.find((r) => r.type === "avalo:run:LoadGenerator")!;
    expect(job.dependencies).to.include(named(resources, "load-key-agent").urn);
    expect(job.dependencies).to.include(named(resources, "load-read").urn);
    for (const child of ["load", "load-sa", "load-key", "load-key-agent"]) {
      expect(named(resources, child).parent, child).to.equal(component.urn);
    }
  });

  it("rejects bad settings naming the field, the value and what is allowed", async () => {
    const cases: [Partial<LoadGeneratorArgs>, string][] = [
      [{ tasks: 0 }, "`tasks` must be 1–10000 tasks, but 0 was provided"],
      [{ tasks: 4, parallelism: 5 }, "`parallelism` must be 1–4 tasks, but 5 was provided"],
      [
        { targetUrl: "http://staging.avalo.example" },
        '`targetUrl` must be an https URL such as https://staging.example.com, but "http://staging.avalo.example" was provided',
      ],
      [{ cpu: 3 }, '`cpu` must be one of 1, 2, 4, 6, 8, but "3" was provided'],
      [
        { cpu: 1, memoryMiB: 8192 },
        "`cpu` must be at least 2 for 8192 MiB of memory (Cloud Run), but 1 was provided",
      ],
      [
        { durationSeconds: 86_400 },
        "`durationSeconds` must be 10–43200 seconds, but 86400 was provided",
      ],
      [
        { cpu: 3, durationSeconds: 5 },
        "2 invalid arguments:\n" +
          "  `durationSeconds` must be 10–43200 seconds, but 5 was provided\n" +
          '  `cpu` must be one of 1, 2, 4, 6, 8, but "3" was provided',
      ],
    ];
    for (const [overrides, message] of cases) {
      const { error, resources: registered } = await runFailing(() => newGenerator(overrides));
      expect(isResourceError(error)).to.equal(true);
      expect(error.message).to.equal(message);
      expect(ofType(registered, JOB)).to.deep.equal([]);
    }
  });

  it("runs a script bundle from an empty directory with the image's entrypoint, as the job does", async () => {
    const root = mkdtempSync(join(tmpdir(), "avalo-script-"));
    try {
      writeFileSync(
        join(root, "job.ts"),
        "const index: number = Number(process.env.CLOUD_RUN_TASK_INDEX);\n" +
          "if (require.main === module) {\n" +
          "  console.log(JSON.stringify({ index, script: process.argv[1].endsWith('index.js') }));\n" +
          "}\n",
      );
      const bundle = await buildScriptBundle({
        name: "load-generator",
        entry: "job.ts",
        rootDir: root,
      });
      const again = await buildScriptBundle({
        name: "load-generator",
        entry: "job.ts",
        rootDir: root,
        force: true,
      });
      expect(again.sha256).to.equal(bundle.sha256);
      const out = await runEntrypoint(bundle, join(root, "run"), { CLOUD_RUN_TASK_INDEX: "7" });
      expect(JSON.parse(out)).to.deep.equal({ index: 7, script: true });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("bundles the simulator's job entry, which the image's entrypoint starts as the main module", async () => {
    const out = mkdtempSync(join(tmpdir(), "avalo-load-job-"));
    try {
      const bundle = await buildScriptBundle({ ...LOAD_JOB_BUNDLE, outDir: out });
      expect(bundle.service).to.equal("load-generator");
      expect(LOAD_JOB_BUNDLE.entry).to.equal("runtime/load/job.ts");
      let failure: { status: number; stderr: Buffer } | undefined;
      try {
        await runEntrypoint(bundle, join(out, "run"), {});
      } catch (err) {
        failure = err as { status: number; stderr: Buffer };
      }
      // Exit 2 with the job's own configuration error: its main block ran from the archive.
      expect(failure?.status).to.equal(2);
      expect(failure?.stderr.toString()).to.match(/^AVALO_LOAD_URL: /);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

/**
 * What the image does, without Docker: the archive extracted into an empty working directory
 * (the Dockerfile's `ADD`), then its `ENTRYPOINT` run there. Returns stdout.
 */
async function runEntrypoint(bundle: Bundle, dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dockerfile = bundleDockerfile();
  const entrypoint = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)![1]) as string[];
  expect(/^ADD (\S+) (\S+)$/m.exec(dockerfile)?.slice(1)).to.deep.equal(["bundle.tar.gz", "/app/"]);
  await extractArchive(bundle.archivePath, dir);
  return execFileSync(entrypoint[0], entrypoint.slice(1), {
    cwd: dir,
    env: { PATH: process.env.PATH, ...env },
    stdio: "pipe",
  }).toString();
}

/** Fake service archives: under the mocks nothing reads them. */
const BUNDLES: Bundle[] = SERVICES.map((s, i) => ({
  service: s.name,
  archivePath: `/tmp/${s.name}.tar.gz`,
  sha256: i.toString(16).padStart(64, "0"),
  bytes: 100 + i,
}));
/** The job's archive: the image's build context is made from it, so it exists. */
const JOB_ARCHIVE_DIR = mkdtempSync(join(tmpdir(), "avalo-job-archive-"));
const JOB_ZIP: Bundle = {
  service: "load-generator",
  archivePath: join(JOB_ARCHIVE_DIR, "load-generator.tar.gz"),
  sha256: "d".repeat(64),
  bytes: 4,
};
writeFileSync(JOB_ZIP.archivePath, "fake");

/** us-east's committed config as a staging stack with the job enabled (a test config only). */
const STAGING: Record<string, unknown> = {
  ...readStackFile("us-east"),
  "avalo:environment": "staging",
  "avalo:deletionProtection": true,
  "avalo:loadGenerator": {
    enabled: true,
    tasks: 100,
    parallelism: 50,
    usersPerTask: 10_000,
    ratePerSecond: 100_000,
    durationSeconds: 1800,
    cpu: 4,
    memoryMiB: 4096,
  },
};

/** Runs the stack; its resources carry their options (`protect`) for the policy pack. */
async function runStack(config: Record<string, unknown>) {
  return runOffline({ project: "avalo", stack: "us-east", config }, () =>
    defineStack(loadStackConfig(), BUNDLES, JOB_ZIP),
  );
}

/** IAM resources (any type) whose member is the job's account. */
function grantsTo(resources: readonly PlanResource[], member: string): Inputs[] {
  return resources
    .filter((r) => r.custom && r.inputs.member === member)
    .map((r) => ({ type: r.type, ...r.inputs }));
}

describe("load generator in the stack", function () {
  this.timeout(120_000);

  it("declares no job, key, account or upload when avalo:loadGenerator is disabled", async () => {
    const { resources, result } = await runStack({
      ...STAGING,
      "avalo:loadGenerator": { enabled: false, tasks: 3 },
    });
    expect(ofType(resources, JOB)).to.deep.equal([]);
    expect(resources.filter((r) => r.name.includes("load-generator"))).to.deep.equal([]);
    expect(result.loadGeneratorJob).to.equal(undefined);
  });

  describe("on a staging stack with the job enabled", () => {
    let resources: readonly PlanResource[];
    let outputs: StackOutputs;

    before(async () => {
      ({ resources, result: outputs } = await runStack(STAGING));
    });

    it("runs the configured shards in the home region as its own account with its own key", () => {
      const jobs = ofType(resources, JOB);
      expect(jobs).to.have.length(1);
      const job = jobs[0];
      expect(job.name).to.equal("us-load-generator");
      expect(job.inputs.location).to.equal("us-east1");
      expect((job.inputs.template as Inputs).taskCount).to.equal(100);
      expect((job.inputs.template as Inputs).parallelism).to.equal(50);
      expect(template(job).serviceAccount).to.equal(
        "load-generator-us-east@avalo-us.iam.gserviceaccount.com",
      );
      expect(template(job).encryptionKey).to.equal(
        "projects/avalo-us/locations/us-east1/keyRings/avalo-us-us-east/cryptoKeys/load-generator",
      );
      expect(template(job).timeout).to.equal("2100s");
      expect(container(job).resources).to.deep.equal({ limits: { cpu: "4", memory: "4096Mi" } });
      expect(envOf(job)).to.deep.include({
        AVALO_LOAD_URL: "https://{service}-123456789012.us-east1.run.app",
        AVALO_LOAD_USERS: "1000000",
        AVALO_LOAD_RATE: "100000",
        AVALO_LOAD_DURATION: "1800s",
        AVALO_ENVIRONMENT: "staging",
      });
      expect(container(job)).not.to.have.property("args");
      expect(template(job)).not.to.have.property("volumes");
    });

    it("builds the job's image from its archive into the plan's CMEK repository and deploys it by digest", async () => {
      const repository = ofType(resources, "gcp:artifactregistry/repository:Repository");
      expect(repository).to.have.length(1);
      expect(repository[0].inputs).to.deep.include({
        project: "avalo-us",
        location: "us-east1",
        repositoryId: "avalo-images",
        format: "DOCKER",
        kmsKeyName:
          "projects/avalo-us/locations/us-east1/keyRings/avalo-us-us-east/cryptoKeys/artifacts",
        dockerConfig: { immutableTags: true },
        cleanupPolicyDryRun: false,
      });
      expect(repository[0].inputs.cleanupPolicies).to.have.length(2);
      const image = named(resources, "us-load-generator-image");
      expect(image.type).to.equal("docker-build:index:Image");
      const context = (image.inputs.context as Inputs).location as string;
      expect(context).to.equal(join("out", "images", "load-generator", "d".repeat(64)));
      expect(readFileSync(join(context, "bundle.tar.gz"), "utf8")).to.equal("fake");
      expect((image.inputs.dockerfile as Inputs).inline).to.equal(bundleDockerfile());
      expect(image.inputs.tags).to.deep.equal([
        `us-east1-docker.pkg.dev/avalo-us/avalo-images/load-generator:${"d".repeat(16)}`,
      ]);
      expect(image.inputs.push).to.equal(true);
      expect(image.dependencies).to.include(repository[0].urn);
      const job = ofType(resources, JOB)[0];
      expect(container(job).image).to.match(
        /^us-east1-docker\.pkg\.dev\/avalo-us\/avalo-images\/load-generator@sha256:[0-9a-f]{64}$/,
      );
      expect(job.dependencies).to.include(image.urn);
      expect(
        resources.filter(
          (r) =>
            r.type === "gcp:storage/bucketObject:BucketObject" && r.name.includes("load-generator"),
        ),
      ).to.deep.equal([]);
      const name = await new Promise((resolve) => outputs.loadGeneratorJob!.apply(resolve));
      expect(name).to.equal("load-generator");
      const ref = await new Promise((resolve) => outputs.loadGeneratorImage!.apply(resolve));
      expect(ref).to.equal(container(job).image);
    });

    it("grants the job's account exactly invoker on the simulator's services", () => {
      const member = "serviceAccount:load-generator-us-east@avalo-us.iam.gserviceaccount.com";
      const invoker = (name: string) => ({
        type: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
        project: "avalo-us",
        location: "us-east1",
        name,
        role: "roles/run.invoker",
        member,
      });
      expect(grantsTo(resources, member)).to.have.deep.members([
        invoker("ai-inference"),
        invoker("fraud-analyzer"),
        invoker("ranking-engine"),
        invoker("analytics-aggregator"),
      ]);
    });

    it("passes the policy pack: no mandatory finding, the key protected as the stack asks", async () => {
      const config = Object.fromEntries(
        rules.map((r) => [r.name, { geography: "us", environment: "staging" }]),
      );
      const findings = await evaluatePolicies(resources, config);
      expect(
        findings.filter((f) => f.level === "mandatory").map((f) => `${f.rule}: ${f.message}`),
      ).to.deep.equal([]);
      // Advisory findings are the organisation-level and residency trade-offs, each with its reason.
      expect(findings.every((f) => f.message.includes("(advisory: "))).to.equal(true);
      expect(named(resources, "us-load-generator-key").inputs.deletionPolicy).to.equal("PREVENT");
      expect(ofType(resources, JOB)[0].inputs.deletionProtection).to.equal(true);
    });

    it("keeps every physical name of the job's resources within GCP's limits", () => {
      const job = ofType(resources, JOB)[0];
      expect(isValidName("cloudRunService", String(job.inputs.name))).to.equal(true);
      const account = named(resources, "us-load-generator-sa");
      expect(account.inputs.accountId).to.equal("load-generator-us-east");
      expect(isValidName("serviceAccount", String(account.inputs.accountId))).to.equal(true);
      expect(
        isValidName("kms", String(named(resources, "us-load-generator-key").inputs.name)),
      ).to.equal(true);
    });
  });

  it("refuses the job on a prod stack before registering any resource", async () => {
    const { resources, result } = await runOffline(
      {
        project: "avalo",
        stack: "eu-west",
        config: {
          ...readStackFile("eu-west"),
          "avalo:loadGenerator": { enabled: true, targetUrl: "https://staging.avalo.example" },
        },
      },
      () => {
        try {
          return defineStack(loadStackConfig(), BUNDLES, JOB_ZIP);
        } catch (err) {
          return err;
        }
      },
    );
    expect(result).to.be.instanceOf(StackConfigError);
    expect((result as Error).message).to.equal(
      "avalo:loadGenerator.enabled: true is allowed only when avalo:environment is staging, but it is prod; " +
        "allowed: false, or true on a stack whose avalo:environment is staging",
    );
    expect(resources).to.have.length(0);
  });
});
