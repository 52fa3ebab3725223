import { expect } from "chai";
import { type Bundle, buildBundles } from "../../../build/bundles";
import { diffEstimates, formatCostDiffMarkdown } from "../../../runtime/cost/diff";
import { estimatePlan } from "../../../runtime/cost/estimate";
import { SERVICES } from "../../../runtime/catalog/services";
import { loadStackConfig, readStackFile } from "../../../stacks/config";
import { runOffline } from "../../../stacks/offline/mocks";
import { defineStack } from "../../../stacks/program";

let bundles: Bundle[];

/** A stack's program resources under the mock runtime, with config overrides. */
async function programOf(stack: string, overrides: Record<string, string> = {}) {
  const config = { ...readStackFile(stack), ...overrides };
  const { resources } = await runOffline({ project: "avalo", stack, config }, () =>
    defineStack(loadStackConfig(), bundles),
  );
  return resources;
}
const usEast = (overrides: Record<string, string> = {}) => programOf("us-east", overrides);

describe("cost estimate of the real programs", function () {
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
    // Standard M2 is quoted for us-east1 and us-west1 at $0.054: 3,650 GB-h more per cache is
    // +$197.10 each, +$394.20 for the stack, inside the totals.
    expect(changes.map((c) => c.deltaUsd)).to.deep.equal([197.1, 197.1]);
    expect(diff.deltaUsd).to.be.closeTo(394.2, 1e-9);
    const markdown = formatCostDiffMarkdown(diff);
    expect(markdown).to.match(/\| us-east \| \$[\d,.]+ \| \$[\d,.]+ \| \+\$394\.20 \|/);
    expect(
      markdown.match(
        /\| \$197\.10 \(3,650 GB-hour\) \| \$394\.20 \(7,300 GB-hour\) \| \+\$197\.10 \|/g,
      ),
    ).to.have.length(2);
    expect(markdown).to.not.contain("not in the totals");
  });

  it("prices the eu-west program's two Redis caches at their regions' figures, and doubling them shows the dollar delta", async () => {
    const base = estimatePlan(await programOf("eu-west"), { geography: "eu", label: "eu-west" });
    const redis = base.lines.filter((l) => l.category === "redis");
    // 5 GB STANDARD_HA (M2) × 730 h = 3,650 GB-h: × $0.061 (europe-west1), × $0.064 (europe-west3).
    expect(redis.map((l) => [l.location, l.monthlyUsd, l.status]).sort()).to.deep.equal([
      ["europe-west1", 222.65, "priced"],
      ["europe-west3", 233.6, "priced"],
    ]);
    expect(redis.every((l) => l.reference === undefined)).to.equal(true);
    const head = estimatePlan(await programOf("eu-west", { "avalo:redisMemorySizeGb": "10" }), {
      geography: "eu",
      label: "eu-west",
    });
    const diff = diffEstimates(base, head);
    expect(diff.deltaUsd).to.be.closeTo(456.25, 1e-9);
    expect(formatCostDiffMarkdown(diff)).to.match(
      /\| eu-west \| \$[\d,.]+ \| \$[\d,.]+ \| \+\$456\.25 \|/,
    );
  });
});
