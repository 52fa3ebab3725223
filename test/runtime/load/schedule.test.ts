import { expect } from "chai";
import { openLoopSchedule } from "../../../runtime/load/schedule";

describe("open-loop arrival schedule", () => {
  it("spaces arrivals evenly at the rate when there is no ramp-up", () => {
    const s = openLoopSchedule({ ratePerSecond: 100, durationSeconds: 10, rampUpSeconds: 0 });
    expect(s.total).to.equal(1000);
    expect([0, 1, 2, 999].map((k) => s.at(k))).to.deep.equal([0, 10, 20, 9990]);
  });

  it("ramps linearly: half the rate's arrivals during the ramp, then the full rate", () => {
    const s = openLoopSchedule({ ratePerSecond: 100, durationSeconds: 10, rampUpSeconds: 4 });
    expect(s.total).to.equal(200 + 600);
    expect(s.cumulative(4)).to.equal(200);
    expect(s.at(200)).to.equal(4000);
    expect(s.rateAt(2)).to.equal(50);
    expect(s.rateAt(6)).to.equal(100);
    expect(s.rateAt(10)).to.equal(0);
    const times = Array.from({ length: s.total }, (_, k) => s.at(k));
    expect(times.every((t, k) => k === 0 || t > times[k - 1])).to.equal(true);
  });

  it("names the bad number", () => {
    expect(() =>
      openLoopSchedule({ ratePerSecond: 0, durationSeconds: 1, rampUpSeconds: 0 }),
    ).to.throw('--rate: "0" is not allowed; a rate > 0 ops/s is allowed');
    expect(() =>
      openLoopSchedule({ ratePerSecond: 1, durationSeconds: 5, rampUpSeconds: 6 }),
    ).to.throw('--ramp-up: "6" is not allowed; a ramp-up from 0 to the duration (5 s) is allowed');
  });
});
