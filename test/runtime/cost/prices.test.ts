import { expect } from "chai";
import { CLOUD_RUN_TIERS, PRICES, lookupPrice } from "../../../runtime/cost/prices";
import { GEOGRAPHIES, GEOGRAPHY_IDS, REGION_IDS, REGIONS } from "../../../runtime/topology";

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
      "artifactregistry.storage",
      "firestore.backup",
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
      "run.instance-cpu",
      "run.instance-memory",
    ]);
  });

  it("prices per single unit: $0.06 per 100,000 Firestore reads in nam5 is $0.0000006 a read", () => {
    const found = lookupPrice("firestore.reads", "nam5");
    expect(found.known && found.usdPerUnit).to.be.closeTo(0.0000006, 1e-15);
  });

  it("leaves a location without a quote unknown in strict mode, and says which", () => {
    const found = lookupPrice("firestore.reads", "asia-east1");
    expect(found.known).to.equal(false);
    expect(found.note).to.contain("in asia-east1");
  });

  it("quotes Firestore in eur3 at the multi-region table's prices", () => {
    const found = lookupPrice("firestore.writes", "eur3");
    expect(found.known && found.usdPerUnit).to.be.closeTo(0.0000018, 1e-15);
  });

  it("falls back to the quoted location in reference mode, with a visible note", () => {
    const found = lookupPrice("firestore.writes", "asia-east1", "reference");
    expect(found.known && found.usdPerUnit).to.be.closeTo(0.0000018, 1e-15);
    expect(found.note).to.equal(
      "no firestore.writes price found for asia-east1; nam5 list price used",
    );
  });

  it("puts every region the topology allows in a Cloud Run tier: the six defaults 1,1,1,2,1,2", () => {
    for (const g of GEOGRAPHY_IDS) {
      for (const region of GEOGRAPHIES[g].allowedGcpRegions) {
        expect(CLOUD_RUN_TIERS[region], region).to.be.oneOf([1, 2]);
        expect(lookupPrice("run.cpu", region).known, region).to.equal(true);
      }
    }
    const defaults = REGION_IDS.map((r) => REGIONS[r].gcpRegion);
    expect(defaults.map((r) => CLOUD_RUN_TIERS[r])).to.deep.equal([1, 1, 1, 2, 2, 1]);
  });

  it("prices Cloud Run in europe-west3 (Tier 2) at 1.4× us-east1 (Tier 1) for CPU and memory", () => {
    const rate = (sku: string, region: string) => {
      const found = lookupPrice(sku, region);
      if (!found.known) throw new Error(`${sku} ${region} unknown`);
      return found.usdPerUnit;
    };
    for (const sku of ["run.cpu", "run.memory", "run.idle-cpu", "run.idle-memory"]) {
      const ratio = rate(sku, "europe-west3") / rate(sku, "us-east1");
      expect(ratio, sku).to.be.within(1.39, 1.41);
    }
    expect(rate("run.requests", "europe-west3")).to.equal(rate("run.requests", "us-east1"));
    expect(lookupPrice("run.cpu", "asia-south1").note).to.contain("Tier 2 rate");
  });

  it("never prices a SKU that has no quote anywhere, even in reference mode", () => {
    expect(lookupPrice("artifactregistry.storage", "us-east1", "reference").known).to.equal(false);
  });

  it("quotes Memorystore per GB-hour at each region's own figure: 5 GB Standard (M2) is $0.054 in us-central1, $0.064 in europe-west3", () => {
    const rate = (sku: string, region: string) => {
      const found = lookupPrice(sku, region);
      return found.known ? found.usdPerUnit : null;
    };
    expect(rate("memorystore.standard.m2", "us-central1")).to.equal(0.054);
    expect(rate("memorystore.standard.m2", "us-east1")).to.equal(0.054);
    expect(rate("memorystore.standard.m2", "europe-west1")).to.equal(0.061);
    expect(rate("memorystore.standard.m2", "europe-west3")).to.equal(0.064);
    expect(rate("memorystore.basic.m1", "asia-east1")).to.equal(0.064);
    expect(rate("memorystore.standard.m1", "asia-south1")).to.equal(0.11);
    expect(lookupPrice("memorystore.standard.m2", "europe-west3").price?.source.via).to.contain(
      "doitintl/gcpinstances.info public/data/memorystore-pricing.json",
    );
    // A region the topology allows but no source quotes stays unknown.
    expect(rate("memorystore.standard.m2", "europe-west4")).to.equal(null);
  });

  it("quotes every Memorystore tier in each of the six default regions", () => {
    for (const region of REGION_IDS.map((r) => REGIONS[r].gcpRegion)) {
      for (const service of ["basic", "standard"]) {
        for (const tier of ["m1", "m2", "m3", "m4", "m5"]) {
          const sku = `memorystore.${service}.${tier}`;
          expect(lookupPrice(sku, region).known, `${sku} ${region}`).to.equal(true);
        }
      }
    }
  });

  it("prices inter-region transfer at its continent's rate, with the assumption beside it", () => {
    const found = (region: string) => lookupPrice("network.inter-region", region);
    const usd = (region: string) => {
      const f = found(region);
      return f.known ? f.usdPerUnit : null;
    };
    expect([usd("us-east1"), usd("europe-west3"), usd("asia-south1")]).to.deep.equal([
      0.02, 0.02, 0.08,
    ]);
    expect(found("europe-west1").note).to.equal(
      "the continent's inter-region rate (within Europe), read from one catalog region pair of that continent; the SKU of this exact region pair was not found",
    );
  });

  it("quotes Cloud Storage Standard operations in every stack region: Class A $0.005, Class B $0.0004 per 1,000", () => {
    const rate = (sku: string, region: string) => {
      const found = lookupPrice(sku, region);
      return found.known ? found.usdPerUnit * 1_000 : null;
    };
    const regions = REGION_IDS.map((r) => REGIONS[r].gcpRegion);
    expect(regions.map((r) => rate("storage.class-a", r))).to.deep.equal(regions.map(() => 0.005));
    expect(regions.map((r) => rate("storage.class-b", r))).to.deep.equal(regions.map(() => 0.0004));
    // us-east1 is the pricing example's own region; elsewhere the single-region figure is applied.
    expect(lookupPrice("storage.class-a", "us-east1").note).to.equal(undefined);
    const eu = lookupPrice("storage.class-a", "europe-west1");
    expect(eu.note).to.equal(
      "the page's Standard single-region operation price, quoted per location type, taken as this region's",
    );
    expect(eu.price?.source.via).to.contain("013caa28c7a3b15d2c48095b6ddefabad6011feb");
    expect(lookupPrice("storage.class-b", "asia-south1").price?.source.url).to.equal(
      "https://cloud.google.com/storage/pricing",
    );
    // A region the table does not quote for Cloud Storage stays unknown.
    expect(lookupPrice("storage.class-a", "europe-west4").known).to.equal(false);
  });

  it("quotes BigQuery active storage in the EU multi-region at $0.02 per GiB-month, its on-demand queries and asia-east1 staying unknown", () => {
    const eu = lookupPrice("bigquery.active-storage", "eu");
    expect(eu.known && eu.usdPerUnit).to.equal(0.02);
    expect(eu.note).to.contain("an older page's figure");
    expect(eu.price?.source.via).to.contain("hl=zh-cn");
    expect(lookupPrice("bigquery.on-demand", "eu").known).to.equal(false);
    expect(lookupPrice("bigquery.active-storage", "asia-east1").known).to.equal(false);
  });

  it("rejects a SKU that is not in the table", () => {
    expect(() => lookupPrice("run.gpu", "us-east1")).to.throw(
      'no price table entry for SKU "run.gpu"',
    );
  });
});
