import { expect } from "chai";
import { analyseSaturation, CpuSampler, type CpuSample } from "../../../runtime/load/saturation";

const watched = [
  { name: "load generator", pid: 1, coreLimit: 1, group: false },
  { name: "ranking-engine", pid: 2, coreLimit: 1, group: true },
];

function samples(series: Array<[number, number, number]>): CpuSample[] {
  return series.map(([gen, ranking, machine], second) => ({
    second,
    cores: { "load generator": gen, "ranking-engine": ranking },
    machineBusy: machine,
  }));
}

describe("load saturation report", () => {
  it("names the first resource that held at >= 90% of its cores for 2 seconds", () => {
    const report = analyseSaturation({
      samples: samples([
        [0.3, 0.5, 0.5],
        [0.4, 0.95, 0.7],
        [0.5, 0.97, 0.8],
        [0.95, 0.98, 0.99],
        [0.96, 0.99, 0.99],
      ]),
      watched,
      notSent: new Map(),
      maxInFlight: 100,
      lag: [],
      targetOpsPerSecond: 500,
      achievedOpsPerSecond: 300,
      machineCores: 2,
    });
    expect(report.first?.resource).to.equal("ranking-engine");
    expect(report.first?.firstSecond).to.equal(1);
    expect(report.findings.map((f) => `${f.resource}@${f.firstSecond}`)).to.deep.equal([
      "ranking-engine@1",
      "load generator@3",
      "machine CPU@3",
    ]);
    expect(report.notes[0]).to.equal("steady-state rate 300 ops/s of 500 targeted (NOT reached)");
    expect(report.cpu.find((c) => c.name === "ranking-engine")).to.deep.equal({
      name: "ranking-engine",
      limitCores: 1,
      meanCores: 0.88,
      peakCores: 0.99,
    });
  });

  it("reports in-flight cap hits and scheduler lag as the generator's own limits", () => {
    const report = analyseSaturation({
      samples: [],
      watched,
      notSent: new Map([
        [4, 10],
        [5, 30],
      ]),
      maxInFlight: 64,
      lag: [
        { second: 2, p99Ms: 80 },
        { second: 3, p99Ms: 120 },
      ],
      targetOpsPerSecond: 100,
      achievedOpsPerSecond: 99,
      machineCores: 2,
    });
    expect(report.findings.map((f) => f.kind)).to.deep.equal(["scheduler-lag", "in-flight-cap"]);
    expect(report.findings[1].detail).to.equal(
      "40 arrivals found 64 requests outstanding and were not sent (first in second 4); the target answered too slowly for the rate",
    );
  });

  it("says nothing saturated when every process stayed below its limit", () => {
    const report = analyseSaturation({
      samples: samples([
        [0.2, 0.3, 0.4],
        [0.2, 0.3, 0.4],
      ]),
      watched,
      notSent: new Map(),
      maxInFlight: 10,
      lag: [],
      targetOpsPerSecond: 10,
      achievedOpsPerSecond: 10,
      machineCores: 2,
    });
    expect(report.first).to.equal(undefined);
    expect(report.notes).to.include(
      "nothing saturated: every watched process stayed below 90% of its cores",
    );
  });

  it("samples this process's CPU from /proc, matching process.cpuUsage()", async () => {
    const sampler = new CpuSampler([{ name: "me", pid: process.pid, coreLimit: 1, group: false }]);
    const before = process.cpuUsage();
    const started = Date.now();
    sampler.start(60_000);
    while (Date.now() < started + 400);
    sampler.sample();
    const used = process.cpuUsage(before);
    const expected = (used.user + used.system) / 1000 / (Date.now() - started);
    const [sample] = sampler.stop();
    expect(sample.cores.me).to.be.closeTo(expected, 0.1);
    expect(sample.cores.me).to.be.greaterThan(0);
    expect(sample.machineBusy).to.be.within(0, 1);
  });
});
