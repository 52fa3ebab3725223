import { expect } from "chai";
import { PRICES, lookupPrice } from "../../../runtime/cost/prices";

describe("cost price table", () => {
  it("gives every price a unit, a GCP pricing page, a date taken and a non-negative amount", () => {
    for (const p of PRICES) {
      expect(p.unit, p.sku).to.not.equal("");
      expect(p.source.url, p.sku).to.match(/^https:\/\/cloud\.google\.com\//);
      expect(p.source.taken, p.sku).to.match(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.per, p.sku).to.be.greaterThan(0);
      if (p.usd !== null) expect(p.usd, p.sku).to.be.at.least(0);
    }
  });

  it("marks every SKU with a location whose price was not found, never guessing one", () => {
    const unknown = [...new Set(PRICES.filter((p) => p.usd === null).map((p) => p.sku))].sort();
    expect(unknown).to.deep.equal([
      "firestore.deletes",
      "firestore.pitr",
      "firestore.reads",
      "firestore.storage",
      "firestore.writes",
      "memorystore.basic.m1",
      "memorystore.basic.m2",
      "memorystore.basic.m3",
      "memorystore.basic.m4",
      "memorystore.basic.m5",
      "memorystore.standard.m1",
      "memorystore.standard.m2",
      "memorystore.standard.m3",
      "memorystore.standard.m4",
      "memorystore.standard.m5",
      "monitoring.alert-condition",
      "network.inter-region",
    ]);
  });

  it("prices per single unit: $0.06 per 100,000 Firestore reads in nam5 is $0.0000006 a read", () => {
    const found = lookupPrice("firestore.reads", "nam5");
    expect(found.known && found.usdPerUnit).to.be.closeTo(0.0000006, 1e-15);
  });

  it("leaves a location without a quote unknown in strict mode, and says which", () => {
    const found = lookupPrice("firestore.reads", "eur3");
    expect(found.known).to.equal(false);
    expect(found.note).to.contain("in eur3");
  });

  it("falls back to the quoted location in reference mode, with a visible note", () => {
    const found = lookupPrice("firestore.writes", "eur3", "reference");
    expect(found.known && found.usdPerUnit).to.be.closeTo(0.0000018, 1e-15);
    expect(found.note).to.equal("no firestore.writes price found for eur3; nam5 list price used");
  });

  it("never prices a SKU that has no quote anywhere, even in reference mode", () => {
    expect(lookupPrice("network.inter-region", "us-east1", "reference").known).to.equal(false);
  });

  it("quotes Memorystore per GB-hour in us-central1 only: $197.10 a month for 5 GB Standard (M2) is $0.054", () => {
    const found = lookupPrice("memorystore.standard.m2", "us-central1");
    expect(found.known && found.usdPerUnit).to.equal(0.054);
    expect(lookupPrice("memorystore.standard.m2", "us-east1").known).to.equal(false);
  });

  it("rejects a SKU that is not in the table", () => {
    expect(() => lookupPrice("run.gpu", "us-east1")).to.throw(
      'no price table entry for SKU "run.gpu"',
    );
  });
});
