import { expect } from "chai";
import {
  categoryTotals,
  dominantCategory,
  formatGrowth,
  formatReportComparison,
  project,
  SCALE_REPORT_20M,
} from "../../../runtime/cost/projection";
import { COST_CATEGORIES } from "../../../runtime/cost/types";
import { scaleUsers } from "../../../runtime/cost/usage";
import { smallModel } from "./small-model";

describe("cost projection", () => {
  it("keeps the scale report's 20M figures, which add up to its total", () => {
    const sum = COST_CATEGORIES.reduce((t, c) => t + (SCALE_REPORT_20M[c] ?? 0), 0);
    expect(sum).to.equal(SCALE_REPORT_20M.total);
    expect(SCALE_REPORT_20M.total).to.equal(60_000);
  });

  it("sums lines by category to the estimate's total", () => {
    const { optimized } = project(smallModel());
    const totals = categoryTotals(optimized);
    const sum = COST_CATEGORIES.reduce((t, c) => t + totals[c].usd, 0);
    expect(sum).to.be.closeTo(optimized.totals.totalUsd, 0.005);
    // Every region's 1 GB BASIC Redis (M1) is quoted at its own figure, 730 h each:
    // us-east1, us-west1 $0.049; europe-west1 $0.051, europe-west3 $0.053; asia-east1 $0.064,
    // asia-south1 $0.063 = 730 × $0.329 = $240.17, the largest category of this small model.
    expect(totals.redis).to.deep.equal({ usd: 240.17, excluded: 0 });
    expect(dominantCategory(optimized).category).to.equal("redis");
  });

  it("shows the naive variant costing more and its saving, beside the report", () => {
    const p = project(smallModel());
    expect(p.naive.totals.totalUsd).to.be.greaterThan(p.optimized.totals.totalUsd);
    const text = formatReportComparison(p);
    expect(text).to.contain("beside the scale report's 20M figures");
    expect(text).to.match(/Firestore +\$25,000\.00 /);
    expect(text).to.match(/total +\$60,000\.00 /);
  });

  it("shows growth across models with the dominant line at each scale", () => {
    const small = smallModel();
    const text = formatGrowth([
      project(small),
      project({ ...scaleUsers(small, 1000), name: "x1000" }),
    ]);
    expect(text.split("\n")).to.have.length(5);
    expect(text).to.match(/^small +1,000 /m);
    expect(text).to.match(/^x1000 +1,000,000 /m);
  });
});
