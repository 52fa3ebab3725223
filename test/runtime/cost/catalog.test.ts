import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCostCommand } from "../../../cli/cost";
import {
  catalogPriceFileSchema,
  fetchCatalog,
  refreshFromCatalog,
  skuPageSchema,
  withCatalogPrices,
  type CatalogSku,
} from "../../../runtime/cost/catalog";
import { lookupPrice, STORED_PRICES, type Price } from "../../../runtime/cost/prices";

const FIXTURES = join(__dirname, "fixtures");
const recorded = JSON.parse(readFileSync(join(FIXTURES, "catalog-skus.json"), "utf8")) as Record<
  string,
  unknown[]
>;

function recordedSkus(): Record<string, CatalogSku[]> {
  return Object.fromEntries(
    Object.entries(recorded).map(([service, pages]) => [
      service,
      pages.flatMap((p) => skuPageSchema.parse(p).skus),
    ]),
  );
}

function usdPerUnit(table: readonly Price[], sku: string, location: string): number | null {
  const found = lookupPrice(sku, location, "strict", table);
  return found.known ? found.usdPerUnit : null;
}

describe("cost price refresh from the Cloud Billing Catalog", () => {
  it("rewrites a copy of the table from the recorded services.skus.list response: three SKUs", () => {
    const copy = structuredClone(STORED_PRICES) as Price[];
    expect(usdPerUnit(copy, "memorystore.standard.m4", "europe-west1")).to.equal(0.043);
    expect(usdPerUnit(copy, "memorystore.basic.m1", "us-east1")).to.equal(0.049);
    expect(usdPerUnit(copy, "memorystore.basic.m1", "europe-west4")).to.equal(null);
    expect(usdPerUnit(copy, "logging.ingestion", "us-east1")).to.equal(0.5);

    const { file, unmatched } = refreshFromCatalog(copy, recordedSkus(), "2026-12-03");
    const refreshed = withCatalogPrices(copy, file);

    expect(usdPerUnit(refreshed, "memorystore.standard.m4", "europe-west1")).to.equal(0.041);
    expect(usdPerUnit(refreshed, "memorystore.basic.m1", "us-east1")).to.equal(0.054);
    // The free first 50 GiB tier is skipped: the first non-zero rate is the price.
    expect(usdPerUnit(refreshed, "logging.ingestion", "us-east1")).to.equal(0.52);
    const m4 = lookupPrice("memorystore.standard.m4", "europe-west1", "strict", refreshed);
    expect(m4.known && m4.price.source).to.deep.equal({
      url: "https://cloud.google.com/billing/docs/reference/rest/v1/services.skus/list",
      via: 'Cloud Billing Catalog API, SKU 0001-FIXT-0001 "Redis Capacity Standard M4 Belgium"',
      taken: "2026-12-03",
    });
    // The copy itself is untouched, and so is every SKU the response does not carry.
    expect(usdPerUnit(copy, "memorystore.basic.m1", "us-east1")).to.equal(0.049);
    expect(usdPerUnit(refreshed, "memorystore.standard.m4", "us-central1")).to.equal(0.035);
    expect(unmatched).to.include("monitoring.metrics").and.include("memorystore.basic.m2");
  });

  it("takes only SKUs whose description, unit and region match: no cluster SKU, no region outside the topology", () => {
    const { file } = refreshFromCatalog(STORED_PRICES, recordedSkus(), "2026-12-03");
    expect(file.prices.map((p) => [p.sku, p.location, p.usd, p.catalogSkuId])).to.deep.equal([
      ["logging.ingestion", "any", 0.52, "0002-FIXT-0001"],
      ["logging.retention", "any", 0.011, "0002-FIXT-0002"],
      ["memorystore.basic.m1", "us-east1", 0.054, "0001-FIXT-0004"],
      ["memorystore.standard.m4", "europe-west1", 0.041, "0001-FIXT-0001"],
      ["memorystore.standard.m4", "europe-west3", 0.045, "0001-FIXT-0002"],
    ]);
    expect(file.refreshed).to.equal("2026-12-03");
    expect(catalogPriceFileSchema.parse(file)).to.deep.equal(file);
  });

  it("reads every page of services.list and services.skus.list with the API key", async () => {
    const services = JSON.parse(readFileSync(join(FIXTURES, "catalog-services.json"), "utf8"));
    const requested: string[] = [];
    const pageOf = (service: string, token: string | null) =>
      recorded[service][token === "page-2" ? 1 : 0];
    const fake = async (url: string) => {
      requested.push(url);
      const u = new URL(url);
      expect(u.searchParams.get("key")).to.equal("test-key");
      const body =
        u.pathname === "/v1/services"
          ? services
          : u.pathname === "/v1/services/5AF5-2C11-D467/skus"
            ? pageOf("Cloud Memorystore for Redis", u.searchParams.get("pageToken"))
            : u.pathname === "/v1/services/5490-F7B7-8DF6/skus"
              ? pageOf("Cloud Logging", u.searchParams.get("pageToken"))
              : { skus: [] };
      return { ok: true, status: 200, json: async () => body };
    };
    const catalog = await fetchCatalog(STORED_PRICES, { apiKey: "test-key", fetch: fake });
    expect(Object.keys(catalog).sort()).to.deep.equal([
      "Cloud Logging",
      "Cloud Memorystore for Redis",
    ]);
    expect(catalog["Cloud Memorystore for Redis"].map((s) => s.skuId)).to.have.length(5);
    expect(
      requested.map((u) => new URL(u).pathname + new URL(u).search.replace(/&?key=test-key/, "")),
    ).to.deep.equal([
      "/v1/services?",
      "/v1/services/5AF5-2C11-D467/skus?currencyCode=USD",
      "/v1/services/5AF5-2C11-D467/skus?currencyCode=USD&pageToken=page-2",
      "/v1/services/5490-F7B7-8DF6/skus?currencyCode=USD",
    ]);
  });

  describe("avalo cost prices refresh", () => {
    let dir: string;
    const saved = {
      key: process.env.CLOUD_BILLING_API_KEY,
      token: process.env.GOOGLE_OAUTH_ACCESS_TOKEN,
    };
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "avalo-refresh-"));
      delete process.env.CLOUD_BILLING_API_KEY;
      delete process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
      if (saved.key !== undefined) process.env.CLOUD_BILLING_API_KEY = saved.key;
      if (saved.token !== undefined) process.env.GOOGLE_OAUTH_ACCESS_TOKEN = saved.token;
    });

    async function run(argv: string[]) {
      let out = "";
      let err = "";
      const code = await runCostCommand(argv, { out: (t) => (out += t), err: (t) => (err += t) });
      return { code, out, err };
    }

    it("rewrites the catalog price file from a recorded response, with the date", async () => {
      const target = join(dir, "catalog-prices.json");
      const from = join(FIXTURES, "catalog-skus.json");
      const { code, out } = await run([
        "prices",
        "refresh",
        "--from",
        from,
        "--out",
        target,
        "--date",
        "2026-12-03",
      ]);
      expect(code).to.equal(0);
      expect(out).to.contain(
        `prices refresh: 5 figures from the Cloud Billing Catalog (2026-12-03) written to ${target}`,
      );
      const file = catalogPriceFileSchema.parse(JSON.parse(readFileSync(target, "utf8")));
      const table = withCatalogPrices(STORED_PRICES, file);
      expect(usdPerUnit(table, "memorystore.standard.m4", "europe-west3")).to.equal(0.045);
      expect(usdPerUnit(table, "memorystore.basic.m1", "us-east1")).to.equal(0.054);
      expect(usdPerUnit(table, "logging.retention", "global")).to.equal(0.011);
    });

    it("offline, without credentials, writes nothing and keeps the stored table", async () => {
      const target = join(dir, "catalog-prices.json");
      const { code, out } = await run(["prices", "refresh", "--out", target]);
      expect(code).to.equal(0);
      expect(out).to.contain(
        "no CLOUD_BILLING_API_KEY or GOOGLE_OAUTH_ACCESS_TOKEN; the stored table is used",
      );
      expect(existsSync(target)).to.equal(false);
    });
  });
});
