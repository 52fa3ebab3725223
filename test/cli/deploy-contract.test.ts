import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { Plan } from "../../plan/record";
import { buildScriptBundle } from "../../build/bundles";
import { checkConstraints } from "../../cli/preview/constraints";
import { deployViolations, type DeployedResource } from "../../policies/rules/deploy";
import { FIXTURE_PROGRAM, preview, projectDir } from "./preview-env";
import { planOf, resource as planResource } from "./plan-builder";

const SERVICE = "gcp:cloudrunv2/service:Service";
const JOB = "gcp:cloudrunv2/job:Job";
const OBJECT = "gcp:storage/bucketObject:BucketObject";
const REPO = "gcp:artifactregistry/repository:Repository";
const BUILD = "docker-build:index:Image";
const DIGEST = `sha256:${"a".repeat(64)}`;

/** A plan resource as the pack's rule sees it (`props` are the plan's inputs). */
function resource(type: string, name: string, props: Record<string, unknown>): DeployedResource {
  return { ...planResource(type, name, props), props };
}

const object = (path: string) =>
  resource(OBJECT, "bundles-api", {
    bucket: "avalo-us-bundles",
    name: "api/abc.tar.gz",
    source: { "@asset": { path } },
  });

const sourceService = (overrides: Record<string, unknown> = {}) =>
  resource(SERVICE, "api", {
    template: {
      containers: [
        {
          image: "scratch",
          baseImageUri:
            "us-east1-docker.pkg.dev/serverless-runtimes/google-24-full/runtimes/nodejs24",
          sourceCode: {
            cloudStorageSource: {
              bucket: "avalo-us-bundles",
              object: "api/abc.tar.gz",
              generation: "1",
            },
          },
          commands: ["node"],
          args: ["index.js"],
          ...overrides,
        },
      ],
    },
  });

const repo = resource(REPO, "artifacts", {
  project: "avalo-us",
  location: "us-east1",
  repositoryId: "avalo-images",
});
const build = (context: string) =>
  resource(BUILD, "job-image", {
    tags: ["us-east1-docker.pkg.dev/avalo-us/avalo-images/load-generator:dddd"],
    context: { location: context },
    dockerfile: {
      inline:
        'FROM node:24-bookworm-slim\nADD bundle.tar.gz /app/\nENTRYPOINT ["node","index.js"]\n',
    },
  });
const job = (image: string) =>
  resource(JOB, "load", { template: { template: { containers: [{ image }] } } });

function asPlan(resources: readonly DeployedResource[]): Plan {
  return planOf(resources.map((r) => planResource(r.type, r.name, r.props)));
}

/** The preview's findings of the deploy-contract rule (the plans here enable no APIs). */
const contractFindings = (plan: Plan) =>
  checkConstraints(plan).filter((f) => f.rule === "cloudrun-runs-own-bundle");

const messages = (resources: readonly DeployedResource[]) =>
  deployViolations(resources).map((v) => v.message);

describe("deploy contract: what every Cloud Run container runs", function () {
  this.timeout(120_000);
  let archive: string;

  before(async () => {
    const root = mkdtempSync(join(tmpdir(), "avalo-contract-"));
    writeFileSync(join(root, "entry.ts"), "console.log('hi');\n");
    archive = (await buildScriptBundle({ name: "api", entry: "entry.ts", rootDir: root }))
      .archivePath;
  });

  it("passes a no-build source deploy of an object the plan uploads, whose archive holds the script", () => {
    const resources = [object(archive), sourceService()];
    expect(messages(resources)).to.deep.equal([]);
    expect(contractFindings(asPlan(resources))).to.deep.equal([]);
  });

  it("passes a job image built by the plan into a declared repository, pinned by digest", () => {
    const context = join(archive, "..");
    writeFileSync(join(context, "bundle.tar.gz"), Buffer.alloc(0));
    const image = `us-east1-docker.pkg.dev/avalo-us/avalo-images/load-generator@${DIGEST}`;
    expect(messages([repo, build(context), job(image)])).to.deep.equal([]);
  });

  it("fails a placeholder image, naming the resource and the container", () => {
    expect(messages([job("us-docker.pkg.dev/cloudrun/container/hello")])).to.deep.equal([
      'gcp:cloudrunv2/job:Job "load" container 0: runs the placeholder image us-docker.pkg.dev/cloudrun/container/hello, ' +
        "which answers 200 to everything and runs none of our code. Fix: deploy the service's bundle (sourceCode) or an image built by the plan, by digest.",
    ]);
  });

  it("fails an image by tag, one the plan does not build, and one outside a declared repository", () => {
    expect(messages([job("node:24")])[0]).to.contain(
      "neither the no-build source deploy nor an image pinned by digest",
    );
    const foreign = `us-east1-docker.pkg.dev/other/images/tool@${DIGEST}`;
    expect(messages([repo, job(foreign)])).to.deep.equal([
      `gcp:cloudrunv2/job:Job "load" container 0: image ${foreign} is in repository us-east1-docker.pkg.dev/other/images, which this plan does not declare.`,
      `gcp:cloudrunv2/job:Job "load" container 0: image ${foreign} is not built by this plan (no docker-build:index:Image tags us-east1-docker.pkg.dev/other/images/tool:…), so nothing ties it to our code.`,
    ]);
  });

  it("fails source code the plan does not upload, without a base image, or starting no script", () => {
    const found = messages([
      sourceService({ baseImageUri: undefined, args: [], commands: ["node"] }),
    ]);
    expect(found).to.have.length(3);
    expect(found[0]).to.contain(
      "sourceCode names gs://avalo-us-bundles/api/abc.tar.gz, which this plan does not upload",
    );
    expect(found[1]).to.contain("without baseImageUri");
    expect(found[2]).to.contain("start no script");
  });

  it("fails, in the preview's constraint check, a script the uploaded archive does not hold", () => {
    const findings = contractFindings(
      asPlan([object(archive), sourceService({ args: ["server.js"] })]),
    );
    expect(findings.map((f) => [f.rule, f.message])).to.deep.equal([
      [
        "cloudrun-runs-own-bundle",
        `gcp:cloudrunv2/service:Service "api" container 0: starts "server.js", which is not in its archive ${archive}. ` +
          "Fix: run `npm run bundle` and deploy SERVICE_CONTAINER's command.",
      ],
    ]);
  });

  it("makes the preview exit 2 on a program that deploys a placeholder image", async () => {
    const dir = projectDir("us-east", {
      "fixture:serviceImage": "us-docker.pkg.dev/cloudrun/container/hello",
    });
    const run = await preview([
      "--stack",
      "us-east",
      "--program",
      FIXTURE_PROGRAM,
      "--config-dir",
      dir,
      "--out",
      mkdtempSync(join(tmpdir(), "plan-contract-")),
    ]);
    expect(run.exitCode).to.equal(2);
    const rules = run.outcomes[0].findings.map((f) => f.rule);
    expect(rules.filter((r) => r === "cloudrun-runs-own-bundle")).to.have.length(2);
    expect(run.stdout).to.include(
      'gcp:cloudrunv2/service:Service "api" container 0: runs the placeholder image us-docker.pkg.dev/cloudrun/container/hello',
    );
  });
});
