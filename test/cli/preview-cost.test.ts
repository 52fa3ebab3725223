import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCostCommand } from "../../cli/cost";
import { costReportOf, renderCostMarkdown } from "../../cli/preview/cost";
import { parsePreviewArgs } from "../../cli/preview/options";
import type { StackOutcome } from "../../cli/preview/outcome";
import type { Plan } from "../../plan/record";
import { costReportSchema } from "../../runtime/cost/report";
import { resource } from "./plan-builder";

const ROOT = join(__dirname, "..", "..");
const USAGE = join(ROOT, "usage", "1m.yaml");

function plan(redisGb: number, region = "us-east1", geography = "us"): Plan {
  return {
    version: 1,
    project: "avalo",
    stack: "us-east",
    geography,
    resources: [
      resource("gcp:redis/instance:Instance", "cache", {
        memorySizeGb: redisGb,
        tier: "STANDARD_HA",
        region,
      }),
      resource("gcp:projects/iAMMember:IAMMember", "grant", {}),
    ],
  };
}

const outcome = (p: Plan): StackOutcome => ({
  stack: p.stack,
  plan: p,
  findings: [],
  ms: 0,
  usageModel: USAGE,
});

describe("preview cost section: JSON and markdown", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "avalo-preview-cost-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("carries the same report structure as `avalo cost --format json`", async () => {
    // What the preview writes with --cost-json: the report, serialized.
    const report = costReportSchema.parse(
      JSON.parse(JSON.stringify(costReportOf([outcome(plan(5))]))),
    );
    const plans = join(dir, "plan");
    mkdirSync(plans);
    writeFileSync(join(plans, "us-east.json"), JSON.stringify(plan(5)));
    let out = "";
    const code = await runCostCommand(["--plan-dir", plans, "--usage", USAGE, "--format", "json"], {
      out: (t) => (out += t),
      err: () => undefined,
    });
    expect(code).to.equal(0);
    const fromCost = costReportSchema.parse(JSON.parse(out));
    expect(report.stacks).to.deep.equal(fromCost.stacks);
    expect(report.schema).to.equal(fromCost.schema);
    expect(report.stacks[0].usageModel).to.equal("1M DAU");
  });

  it("takes --cost-json FILE or - on the preview's command line", () => {
    expect(parsePreviewArgs(["--cost-json", "cost.json"], "/tmp/x").costJson).to.equal(
      "/tmp/x/cost.json",
    );
    expect(parsePreviewArgs(["--cost-json"], "/tmp/x").costJson).to.equal("-");
    expect(parsePreviewArgs([], "/tmp/x").costJson).to.equal(undefined);
  });

  it("shows a Redis resize in the markdown: a dollar delta where the region is quoted, a borrowed one beside it where not", () => {
    const baseDir = join(dir, "base");
    mkdirSync(baseDir);
    writeFileSync(join(baseDir, "us-east.json"), JSON.stringify(plan(5)));
    const quoted = renderCostMarkdown([outcome(plan(10))], baseDir);
    // 3,650 GB-h more at the Standard M2 us-east1 price ($0.054): +$197.10, inside the total.
    expect(quoted).to.match(/\| us-east \| \$[\d,.]+ \| \$[\d,.]+ \| \+\$197\.10 \|/);
    expect(quoted).to.not.contain("not in the totals");

    // europe-west4 is allowed in eu but no source quotes Memorystore there.
    writeFileSync(join(baseDir, "us-east.json"), JSON.stringify(plan(5, "europe-west4", "eu")));
    const borrowed = renderCostMarkdown([outcome(plan(10, "europe-west4", "eu"))], baseDir);
    expect(borrowed).to.contain(
      "$0.00 (+1 line with unknown price changed; +$197.10 of it at list prices quoted for us-central1, not in the totals) |",
    );
  });
});
