import { expect } from "chai";
import { type BundleResult, buildBundles } from "../../../components/bundling";
import { diffEstimates } from "../../../runtime/cost/diff";
import { estimatePlan } from "../../../runtime/cost/estimate";
import { SERVICES } from "../../../runtime/services/catalog";
import { loadStackConfig, readStackFile } from "../../../stacks/config";
import { runOffline } from "../../../stacks/offline/mocks";
import { defineStack } from "../../../stacks/program";

let bundles: BundleResult[];

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
    const changes = diffEstimates(base, head).changes;
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
  });
});
