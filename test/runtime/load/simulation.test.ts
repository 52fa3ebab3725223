import { expect } from "chai";
import { join } from "node:path";
import { SECONDS_PER_MONTH } from "../../../runtime/cost/defaults";
import { formatLoadCost } from "../../../cli/load/print";
import { estimateUsage } from "../../../runtime/cost/estimate";
import { formatUsd } from "../../../runtime/cost/format";
import { loadUsageModel } from "../../../runtime/cost/usage";
import { projectLoadCost, usageModelOfLoad } from "../../../runtime/load/cost";
import { DEFAULT_MIX } from "../../../runtime/load/mix";
import { simulateLoad } from "../../../runtime/load/simulation";

const usage = loadUsageModel(join(__dirname, "..", "..", "..", "usage", "20m.yaml"));

describe("load simulation mode (a model, no requests)", () => {
  const million = () =>
    simulateLoad({
      mix: DEFAULT_MIX,
      users: 1_000_000,
      durationSeconds: 10,
      rampUpSeconds: 0,
      usage,
    });

  it("derives the rate from the users (one op per user every 10 s) and the arrivals per operation", () => {
    const s = million();
    expect(s.mode).to.equal("simulation");
    expect(s.notice).to.match(/^MODEL, NOT A MEASUREMENT: simulation mode sent no requests/);
    expect(s.ratePerSecond).to.equal(100_000);
    expect(s.arrivals.total).to.equal(1_000_000);
    expect(s.arrivals.byOperation).to.deep.equal({
      feed: 400_000,
      profile: 200_000,
      likes: 150_000,
      chat: 150_000,
      ai: 50_000,
      payments: 50_000,
    });
    expect(s.timeline.filter((t) => t.second === 0 && t.op === "feed")[0].arrivals).to.equal(
      40_000,
    );
  });

  it("is deterministic, and doubling the users doubles the arrivals, messages and reads", () => {
    const a = million();
    expect(million()).to.deep.equal(a);
    const b = simulateLoad({
      mix: DEFAULT_MIX,
      users: 2_000_000,
      durationSeconds: 10,
      rampUpSeconds: 0,
      usage,
    });
    expect(b.arrivals.total).to.equal(2 * a.arrivals.total);
    expect(b.pubsub.bytesPerSecond).to.be.closeTo(2 * a.pubsub.bytesPerSecond, 1e-6);
    expect(b.firestore.readsPerSecond).to.be.closeTo(2 * a.firestore.readsPerSecond, 1e-6);
  });

  it("models Pub/Sub bytes and Firestore operations from the usage model's per-operation figures", () => {
    const s = million();
    let bytes = 0;
    let reads = 0;
    for (const [op, percent] of Object.entries(DEFAULT_MIX) as Array<
      [keyof typeof DEFAULT_MIX, number]
    >) {
      const rate = (100_000 * percent) / 100;
      for (const events of Object.values(usage.events))
        bytes += rate * (events?.perOperation[op] ?? 0) * (events?.bytes ?? 0);
      reads +=
        rate *
        (usage.operations[op].firestoreReads -
          usage.operations[op].cacheableReads * usage.cache.hitRatio);
    }
    expect(s.pubsub.bytesPerSecond).to.be.closeTo(bytes, 1);
    expect(s.firestore.readsPerSecond).to.be.closeTo(reads, 1);
  });

  it("sizes instances from concurrency and CPU against the service table's maxInstances", () => {
    const ranking = million().services.find((v) => v.service === "ranking-engine")!;
    // feed (40%) and likes over HTTP (15%) reach ranking-engine: 55,000 req/s at 30 CPU-ms each
    // on 1 vCPU at 60% target utilization = 2,750 instances (concurrency alone would need 35).
    expect(ranking.requestsPerSecond).to.equal(55_000);
    expect(ranking.instances).to.equal(2750);
    expect(ranking.maxInstances).to.equal(100);
    expect(ranking.exceedsMaxInstances).to.equal(true);
  });

  it("divides the users and the rate by shard", () => {
    const shard = simulateLoad({
      mix: DEFAULT_MIX,
      users: 1_000_000,
      durationSeconds: 10,
      rampUpSeconds: 0,
      usage,
      shard: { index: 0, count: 4 },
    });
    expect(shard.shardUsers).to.equal(250_000);
    expect(shard.ratePerSecond).to.equal(25_000);
  });

  it("prices the load as a usage model with a DAU-equivalent of its rate", () => {
    const model = usageModelOfLoad(usage, DEFAULT_MIX, 500);
    expect(model.dailyActiveUsers).to.equal((500 * 86_400) / usage.operationsPerUserPerDay);
    const cost = projectLoadCost(usage, DEFAULT_MIX, 500, 60);
    expect(cost.monthlyUsd).to.equal(estimateUsage(model).totals.totalUsd);
    expect(cost.runUsd).to.equal(
      Math.round((cost.monthlyUsd * 60 * 100) / SECONDS_PER_MONTH) / 100,
    );
    expect(cost.operationsPerMonth).to.equal(500 * SECONDS_PER_MONTH);
  });

  it("prints the load's borrowed figure beside its total, never in it", () => {
    const cost = projectLoadCost(usage, DEFAULT_MIX, 500, 60);
    const estimate = estimateUsage(usageModelOfLoad(usage, DEFAULT_MIX, 500));
    expect(cost.borrowed).to.deep.equal(estimate.totals.borrowed);
    expect(cost.borrowed.lines).to.be.greaterThan(0);
    const priced = estimate.lines.reduce((t, l) => t + (l.monthlyUsd ?? 0), 0);
    expect(cost.monthlyUsd).to.be.closeTo(priced, 0.01);
    expect(formatLoadCost(cost)).to.contain(
      `borrowed, not in the total: ${cost.borrowed.lines} unknown-priced lines would add ${formatUsd(cost.borrowed.usd)}`,
    );
  });
});
