import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { runCostCommand } from "../../cli/cost";
import { SMALL_MODEL_DOCUMENT } from "../runtime/cost/small-model";

const REPO = join(__dirname, "..", "..");

async function cost(
  argv: string[],
  cwd = REPO,
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCostCommand(argv, { out: (t) => (out += t), err: (t) => (err += t) }, cwd);
  return { code, out, err };
}

describe("avalo cost", () => {
  let dir: string;
  let plans: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "avalo-cost-"));
    plans = join(dir, "plan");
    mkdirSync(plans);
    const resources = [
      {
        urn: "urn:pulumi:us-east::avalo::gcp:redis/instance:Instance::cache-a",
        type: "gcp:redis/instance:Instance",
        name: "cache-a",
        custom: true,
        parent: "",
        dependencies: [],
        propertyDependencies: {},
        inputs: { memorySizeGb: 2, tier: "BASIC", region: "us-central1" },
      },
    ];
    writeFileSync(
      join(plans, "us-east.json"),
      JSON.stringify({
        version: 1,
        project: "avalo",
        stack: "us-east",
        geography: "us",
        resources,
      }),
    );
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("prints a cost summary per stack from the plan files", async () => {
    const { code, out } = await cost(["--plan-dir", plans]);
    expect(code).to.equal(0);
    expect(out).to.contain("Cost estimate: us-east");
    expect(out).to.match(/redis +\$71\.54 +\$0\.00 +\$71\.54/);
  });

  it("prints every line with --lines", async () => {
    const { out } = await cost(["--plan-dir", plans, "--lines"]);
    expect(out).to.contain("cache-a: 2 GB BASIC (M1) × 730 h");
    expect(out).to.contain("fixed $71.54 + usage-driven $0.00 = $71.54/month");
  });

  it("prints the 20M projection beside the report, the naive variant and growth", async function () {
    this.timeout(30_000);
    const { code, out } = await cost([
      "--usage",
      "usage/20m.yaml",
      "--plan-dir",
      join(dir, "none"),
    ]);
    expect(code).to.equal(0);
    expect(out).to.contain("Monthly projection: 20M DAU (20,000,000 daily active users)");
    expect(out).to.match(/total +\$60,000\.00 /);
    expect(out).to.match(/^10K DAU +10,000 /m);
    expect(out).to.match(/^1M DAU +1,000,000 /m);
    expect(out).to.match(/^20M DAU +20,000,000 /m);
    expect(out).to.contain("What each choice saves at 20M DAU");
  });

  it("fails with exit 1 naming the key of a bad usage file", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      stringify({
        ...SMALL_MODEL_DOCUMENT,
        operationMix: { ...SMALL_MODEL_DOCUMENT.operationMix, fed: 0 },
      }),
    );
    const { code, err } = await cost(["--usage", bad, "--plan-dir", plans]);
    expect(code).to.equal(1);
    expect(err).to.contain(
      `${bad}: operationMix.fed: unknown key; allowed: feed, profile, likes, chat, ai, payments`,
    );
  });

  it("fails with exit 1 when there is nothing to price", async () => {
    const { code, err } = await cost(["--plan-dir", join(dir, "none")]);
    expect(code).to.equal(1);
    expect(err).to.contain(
      `no plan files in ${join(dir, "none")}; run \`npm run preview\` first, or pass --usage FILE`,
    );
  });

  it("fails with exit 1 on an unknown stack", async () => {
    const { code, err } = await cost(["--plan-dir", plans, "--stack", "mars"]);
    expect(code).to.equal(1);
    expect(err).to.contain('--stack: "mars" is not a stack; allowed: us-east, eu-west, asia-east');
  });

  it("prints the price table with the source and date of every figure", async () => {
    const { code, out } = await cost(["--prices"]);
    expect(code).to.equal(0);
    expect(out).to.match(
      /^firestore\.reads +nam5 +\$0\.06 per 100,000 document reads +https:\/\/cloud\.google\.com\/firestore\/pricing \(2026-11-25\)$/m,
    );
    expect(out).to.match(/^memorystore\.standard\.m1 +any +unknown /m);
  });
});
