import { expect } from "chai";
import { type Bundle, buildBundles } from "../../../build/bundles";
import { diffEstimates, formatCostDiffMarkdown } from "../../../runtime/cost/diff";
import { estimatePlan } from "../../../runtime/cost/estimate";
import { SERVICES } from "../../../runtime/services/catalog";
import { loadStackConfig, readStackFile } from "../../../stacks/config";
import { runOffline } from "../../../stacks/offline/mocks";
import { defineStack } from "../../../stacks/program";

let bundles: Bundle[];

/** The us-east program's resources under the mock runtime, with config overrides. */
async function usEast(overrides: Record<string, string> = {}) {
  const config = { ...readStackFile("us-east"), ...overrides };
  const { resources } = await runOffline({ project: "avalo", stack: "us-east", config }, () =>
    defineStack(loadStackConfig(), bundles),
  );
  return resources;
}

describe("cost estimate of the real us-east program", function () {
  // The bundles are built once per test run (and reused from out/bundles when fresh).
  this.timeout(300_000);
  before(async () => {
    bundles = await buildBundles();
  });

  it("prices every service's min instances as an explicit $0 and doubling Redis changes only the Redis lines", async () => {
    const base = estimatePlan(await usEast(), { geography: "us", label: "us-east" });
    const zero = base.lines.filter((l) => l.key.endsWith(":min-instances"));
    expect(zero).to.have.length(SERVICES.length * 2);
    expect(zero.every((l) => l.monthlyUsd === 0)).to.equal(true);

    const head = estimatePlan(await usEast({ "avalo:redisMemorySizeGb": "10" }), {
      geography: "us",
      label: "us-east",
    });
    const diff = diffEstimates(base, head);
    const changes = diff.changes;
    expect(
      changes.map((c) => [
        c.key.split(":").slice(-2).join(":"),
        c.base?.quantity,
        c.head?.quantity,
      ]),
    ).to.deep.equal([
      ["us-cache-us-east:capacity", 3650, 7300],
      ["us-cache-us-west:capacity", 3650, 7300],
    ]);
    // No quote for us-east1/us-west1: the delta is shown at the us-central1 Standard M2 price,
    // 3,650 GB-h × $0.054 = $197.10 per instance, and kept out of the stack's total.
    const markdown = formatCostDiffMarkdown(diff);
    expect(
      markdown.match(/\| unknown \(\+\$197\.10 at the us-central1 list price\) \|/g),
    ).to.have.length(2);
    expect(markdown).to.contain(
      "+$394.20 of it at list prices quoted for us-central1, not in the totals",
    );
  });
});
