import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { previewCommand } from "../../cli/preview/run";
import { REQUIRED_APIS } from "../../components/defaults";
import { estimatePlan } from "../../runtime/cost/estimate";
import { formatUsd } from "../../runtime/cost/format";
import { loadUsageModel } from "../../runtime/cost/usage";
import { FIXTURE_PROGRAM, ROOT, preview, projectDir } from "./preview-env";

/** Resources of the fixture program per stack: one per enabled API plus its own thirteen. */
const FIXTURE_RESOURCES = REQUIRED_APIS.length + 13;
/**
 * Advisory findings of the fixture program: its three regional buckets are neither multi-region
 * nor readable by the DLP agent, and the organisation-level controls (aggregated audit trail,
 * Security Command Center, Web Security Scanner) are outside any stack.
 */
const FIXTURE_ADVISORY = 9;

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe("avalo preview (offline plan, diff and constraints)", function () {
  // Each stack runs in a child process that loads the Pulumi SDK (~1-2 s on a busy 2-core box).
  this.timeout(60_000);

  const program = ["--program", FIXTURE_PROGRAM];
  const stacks = ["--stack", "us-east", "--stack", "eu-west"];
  let first: Awaited<ReturnType<typeof preview>>;

  before(async () => {
    first = await preview([...stacks, ...program, "--config-dir", ROOT, "--out", tmp("plan-a-")]);
  });

  it("records every resource with type, parent, inputs and dependencies, sorted by URN", () => {
    const plan = JSON.parse(readFileSync(join(first.options.outDir, "us-east.json"), "utf8")) as {
      stack: string;
      geography: string;
      resources: Array<{
        urn: string;
        type: string;
        parent: string;
        inputs: Record<string, unknown>;
        dependencies: string[];
      }>;
    };
    expect(plan.stack).to.equal("us-east");
    expect(plan.geography).to.equal("us");
    const urns = plan.resources.map((r) => r.urn);
    expect(urns).to.deep.equal([...urns].sort());
    const topic = plan.resources.find((r) =>
      r.urn.endsWith("gcp:pubsub/topic:Topic::topic-us-west"),
    );
    expect(topic?.inputs).to.deep.include({
      name: "fixture-us-west",
      messageRetentionDuration: "18000s",
      messageStoragePolicy: { allowedPersistenceRegions: ["us-west1"] },
    });
    expect(topic?.dependencies).to.include(
      "urn:pulumi:us-east::avalo::avalo:platform:Apis$gcp:projects/service:Service::apis-pubsub",
    );
    expect((topic as unknown as { options: unknown }).options).to.deep.equal({
      protect: false,
      ignoreChanges: [],
      retainOnDelete: false,
      deleteBeforeReplace: false,
      replaceOnChanges: [],
      deletedWith: "",
      additionalSecretOutputs: ["effectiveLabels", "pulumiLabels"],
    });
    const service = plan.resources.find((r) => r.type === "gcp:projects/service:Service");
    expect(service?.parent).to.equal("urn:pulumi:us-east::avalo::avalo:platform:Apis::apis");
  });

  it("prints resource counts by type for each stack", () => {
    expect(first.stdout).to.match(
      new RegExp(`us-east: project avalo, geography us, ${FIXTURE_RESOURCES} resources`),
    );
    expect(first.stdout).to.match(/gcp:pubsub\/topic:Topic\s+2\n/);
    expect(first.stdout).to.match(
      new RegExp(`gcp:projects/service:Service\\s+${REQUIRED_APIS.length}\\n`),
    );
  });

  it("writes the same bytes when run twice, and shows no changes against its own plans", async () => {
    const again = await preview([
      ...stacks,
      ...program,
      "--config-dir",
      ROOT,
      "--out",
      tmp("plan-c-"),
      "--base",
      first.options.outDir,
      "--markdown",
      "-",
    ]);
    expect(first.exitCode).to.equal(0);
    expect(again.exitCode).to.equal(0);
    for (const stack of ["us-east", "eu-west"]) {
      const a = readFileSync(join(first.options.outDir, `${stack}.json`), "utf8");
      const b = readFileSync(join(again.options.outDir, `${stack}.json`), "utf8");
      expect(a).to.equal(b);
      expect(a).not.to.include(ROOT);
      expect(a).not.to.include(tmpdir());
    }
    for (const o of again.outcomes) {
      expect(o.diff?.hasBase).to.equal(true);
      expect([o.diff?.added.length, o.diff?.changed.length, o.diff?.removed.length]).to.deep.equal([
        0, 0, 0,
      ]);
    }
    expect(again.stdout.match(/diff: no changes/g)).to.have.length(2);
    expect(again.markdown).to.include(
      `| us-east | ${FIXTURE_RESOURCES} | 0 | 0 | 0 | 0 | 0 | ${FIXTURE_ADVISORY} |`,
    );
    expect(again.stdout).to.include(
      `  Resources: + 0 to create, ~ 0 to update, +- 0 to replace, - 0 to delete, ${FIXTURE_RESOURCES} unchanged\n`,
    );
    expect(again.markdown).to.include("No changes.");
  });

  it("reports a changed input in the diff and the markdown", async () => {
    const dir = projectDir("us-east", { "avalo:redisMemorySizeGb": 7 });
    const markdownFile = join(tmp("md-"), "preview.md");
    const changed = await preview([
      "--stack",
      "us-east",
      ...program,
      "--config-dir",
      dir,
      "--out",
      tmp("plan-d-"),
      "--base",
      first.options.outDir,
      "--markdown",
      markdownFile,
    ]);
    expect(changed.exitCode).to.equal(0);
    expect(changed.stdout).to.include(
      `Resources: + 0 to create, ~ 2 to update, +- 0 to replace, - 0 to delete, ${FIXTURE_RESOURCES - 2} unchanged`,
    );
    expect(changed.stdout).to.include("~ gcp:pubsub/topic:Topic topic-us-east");
    expect(changed.stdout).to.include('messageRetentionDuration: "18000s" → "25200s"');
    const markdown = readFileSync(markdownFile, "utf8");
    expect(markdown).to.include(
      `| us-east | ${FIXTURE_RESOURCES} | 0 | 2 | 0 | 0 | 0 | ${FIXTURE_ADVISORY} |`,
    );
    expect(markdown).to.include(
      '| `~` update | `gcp:pubsub/topic:Topic` | `topic-us-east` | `messageRetentionDuration`: `"18000s"` → `"25200s"` |',
    );
  });

  it("exits 2 when a change replaces a stateful bucket, and passes with avalo:allowDestroy shown in the markdown", async () => {
    const moved = { "fixture:bucketLocation": "US-EAST4" };
    const run = (changes: Record<string, unknown>) =>
      preview([
        "--stack",
        "us-east",
        ...program,
        "--config-dir",
        projectDir("us-east", changes),
        "--out",
        tmp("plan-g-"),
        "--base",
        first.options.outDir,
        "--markdown",
        "-",
      ]);
    const blocked = await run(moved);
    expect(blocked.exitCode).to.equal(2);
    expect(blocked.stdout).to.include(
      "    +- gcp:storage/bucket:Bucket bucket-us-east (replace: location forces a new resource)\n" +
        '        location: "US-EAST1" → "US-EAST4" (forces replacement)\n',
    );
    expect(blocked.stdout).to.include(
      `Resources: + 0 to create, ~ 0 to update, +- 2 to replace, - 0 to delete, ${FIXTURE_RESOURCES - 2} unchanged`,
    );
    expect(
      blocked.outcomes[0].findings
        .filter((f) => f.level === "mandatory")
        .map((f) => [f.rule, f.urn.split("::").pop()]),
    ).to.deep.equal([
      ["stateful-no-destroy", "bucket-us-east"],
      ["stateful-no-destroy", "bucket-us-west"],
    ]);
    expect(blocked.stdout).to.include(
      'gcp:storage/bucket:Bucket "bucket-us-east" (Cloud Storage bucket) would be replaced: location "US-EAST1" → "US-EAST4" forces a new resource; data at risk: every object in the bucket',
    );
    const allowed = await run({
      ...moved,
      "avalo:allowDestroy": ["bucket-us-east", "bucket-us-west"],
    });
    expect(allowed.exitCode).to.equal(0);
    expect(allowed.stdout).to.include(
      '  avalo:allowDestroy (from Pulumi.us-east.yaml): "bucket-us-east", "bucket-us-west"\n' +
        '    allows: +- gcp:storage/bucket:Bucket bucket-us-east (entry "bucket-us-east")\n',
    );
    expect(allowed.markdown).to.include(
      "**⚠️ `avalo:allowDestroy` in `Pulumi.us-east.yaml`:** `bucket-us-east`, `bucket-us-west`",
    );
    expect(allowed.markdown).to.include(
      `| us-east | ${FIXTURE_RESOURCES} | 0 | 0 | 2 | 0 | 0 | ${FIXTURE_ADVISORY} |`,
    );
  });

  it("exits 1 on a misspelt avalo: key, naming the closest known key", async () => {
    const run = await preview([
      "--stack",
      "us-east",
      ...program,
      "--config-dir",
      projectDir("us-east", { "avalo:redisMemorySizeGB": 10 }),
      "--out",
      tmp("plan-h-"),
    ]);
    expect(run.exitCode).to.equal(1);
    expect(run.stdout).to.include(
      "avalo:redisMemorySizeGB: 10 is not a config key of this project (did you mean `avalo:redisMemorySizeGb`?)",
    );
  });

  it("exits 2 and groups the messages when an input breaks a GCP constraint", async () => {
    const dir = projectDir("us-east", {
      "fixture:topicName": "Bad_Topic!",
      "fixture:bucketLocation": "EUROPE-WEST1",
      "fixture:skipApis": true,
    });
    const bad = await preview([
      "--stack",
      "us-east",
      ...program,
      "--config-dir",
      dir,
      "--out",
      tmp("plan-e-"),
      "--markdown",
      "-",
    ]);
    expect(bad.exitCode).to.equal(2);
    const rules = bad.outcomes[0].findings.map((f) => f.rule);
    expect(rules.filter((r) => r === "gcp-name")).to.have.length(2);
    expect(rules.filter((r) => r === "gcp-location")).to.have.length(2);
    expect(rules.filter((r) => r === "gcp-api-enabled")).to.have.length(2);
    expect(rules.filter((r) => r === "data-residency")).to.have.length(2);
    expect(bad.stdout).to.include(`Violations: 8 mandatory, ${FIXTURE_ADVISORY} advisory`);
    expect(bad.stdout).to.include(
      'us-east: gcp:pubsub/topic:Topic "topic-us-east": name "Bad_Topic!" (10 characters) is not a valid pubsub name; ' +
        'GCP allows 3–255 characters matching /^[a-zA-Z][-a-zA-Z0-9_.~+%]*$/. Fix: build the name with gcpName("pubsub", ...).',
    );
    expect(bad.stdout).to.include(
      'gcp:storage/bucket:Bucket "bucket-us-west": location "EUROPE-WEST1" is outside geography us; allowed: us-central1,',
    );
    expect(bad.stdout).to.include(
      'gcp:pubsub/topic:Topic "topic-us-west" uses pubsub.googleapis.com but does not depend on the gcp:projects/service:Service enabling it.',
    );
    expect(bad.markdown).to.include("#### ⛔ mandatory: `gcp-location` (2)");
    expect(bad.stderr).to.include("failed: mandatory violations (exit 2)");
  });

  it("exits 1 naming the key, value and allowed values on a bad stack config", () => {
    const dir = projectDir("us-east", { "avalo:environment": "production" });
    const run = spawnSync(
      process.execPath,
      [
        "--require",
        require.resolve("tsx/cjs"),
        join(ROOT, "cli", "avalo.ts"),
        "preview",
        "--stack",
        "us-east",
        ...program,
        "--config-dir",
        dir,
        "--out",
        tmp("plan-f-"),
      ],
      { encoding: "utf8" },
    );
    expect(run.status).to.equal(1);
    expect(run.stdout).to.include("us-east: config error");
    expect(run.stdout).to.include(
      'avalo:environment: "production" is not an environment; allowed: prod, staging, dev',
    );
  });

  it("prints each stack's cost with the usage-driven lines of its avalo:usageModel", () => {
    const model = loadUsageModel(join(ROOT, "usage", "1m.yaml"));
    for (const [stack, geography] of [
      ["us-east", "us"],
      ["eu-west", "eu"],
    ] as const) {
      const usage = estimatePlan([], { geography, usage: model }).totals.usageUsd;
      expect(usage).to.be.greaterThan(0);
      expect(first.stdout).to.match(
        new RegExp(
          `Cost estimate: ${stack}\n[^]*?usage-driven ${formatUsd(usage).replace(/[$.]/g, "\\$&")} = `,
        ),
      );
    }
    expect(
      first.stdout.match(/usage-driven lines: 1M DAU \(1,000,000 daily active users\)/g),
    ).to.have.length(2);
  });

  it("exits 1 naming avalo:usageModel when the stack's usage file does not exist", async () => {
    const dir = projectDir("us-east", { "avalo:usageModel": "usage/5m.yaml" });
    const run = await preview([
      "--stack",
      "us-east",
      ...program,
      "--config-dir",
      dir,
      "--out",
      tmp("plan-u-"),
    ]);
    expect(run.exitCode).to.equal(1);
    expect(run.stdout).to.include(
      'avalo:usageModel: "usage/5m.yaml" does not exist; allowed: the path of a usage file relative to the project, e.g. usage/1m.yaml',
    );
  });

  it("exits 1 on an unknown stack name, listing the stacks", async () => {
    let err = "";
    const code = await previewCommand(["--stack", "mars"], {
      out: () => undefined,
      err: (t) => (err += t),
    });
    expect(code).to.equal(1);
    expect(err).to.equal('--stack "mars" is not a stack; allowed: us-east, eu-west, asia-east\n');
  });
});
