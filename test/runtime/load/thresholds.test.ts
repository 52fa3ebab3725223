import { expect } from "chai";
import { checkThresholds, DEFAULT_THRESHOLDS } from "../../../runtime/load/thresholds";

describe("load thresholds", () => {
  it("default to the scale report's: p95 < 500 ms, errors < 0.1%, >= 10,000 ops/s", () => {
    expect(DEFAULT_THRESHOLDS).to.deep.equal({
      p95Millis: 500,
      maxErrorRate: 0.001,
      minOpsPerSecond: 10_000,
    });
  });

  it("passes when every threshold is met", () => {
    const { checks, passed } = checkThresholds(
      { p95Ms: 120, arrivals: 100_000, errors: 99, opsPerSecond: 10_500 },
      DEFAULT_THRESHOLDS,
    );
    expect(passed).to.equal(true);
    expect(checks).to.deep.equal([
      { name: "p95 latency", limit: "< 500 ms", actual: "120 ms", passed: true },
      { name: "error rate", limit: "< 0.1%", actual: "0.099% (99 of 100000)", passed: true },
      { name: "throughput", limit: ">= 10,000 ops/s", actual: "10,500 ops/s", passed: true },
    ]);
  });

  it("fails and says which threshold was missed", () => {
    const { checks, passed } = checkThresholds(
      { p95Ms: 500, arrivals: 1000, errors: 1, opsPerSecond: 480 },
      { p95Millis: 500, maxErrorRate: 0.001, minOpsPerSecond: 400 },
    );
    expect(passed).to.equal(false);
    expect(checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.actual}`)).to.deep.equal([
      "p95 latency: 500 ms",
      "error rate: 0.1% (1 of 1000)",
    ]);
  });

  it("does not pass the latency check of a run where nothing succeeded", () => {
    const { checks } = checkThresholds(
      { p95Ms: 0, arrivals: 10, errors: 10, opsPerSecond: 0 },
      DEFAULT_THRESHOLDS,
    );
    expect(checks[0].passed).to.equal(false);
  });
});
