import { z } from "zod";
import { GEOGRAPHIES, GEOGRAPHY_IDS } from "../topology";
import type { Price } from "./prices";

/**
 * Figures from the Cloud Billing Catalog API (`services.list`, `services.skus.list`): the shape
 * of its responses (the fields read here), how a table entry is found in it, and the file
 * `catalog-prices.json` that `avalo cost prices refresh` rewrites and the table reads.
 * https://cloud.google.com/billing/docs/reference/rest/v1/services.skus/list
 */

/** The API's documentation page; the source URL of every refreshed figure. */
export const CATALOG_API_URL =
  "https://cloud.google.com/billing/docs/reference/rest/v1/services.skus/list";

const money = z.object({
  currencyCode: z.string(),
  units: z.union([z.string(), z.number()]).optional(),
  nanos: z.number().optional(),
});

/** One SKU of a `services.skus.list` response (the fields pricing reads). */
export const catalogSkuSchema = z.object({
  name: z.string(),
  skuId: z.string(),
  description: z.string(),
  category: z
    .object({
      serviceDisplayName: z.string().optional(),
      resourceFamily: z.string().optional(),
      resourceGroup: z.string().optional(),
      usageType: z.string().optional(),
    })
    .optional(),
  serviceRegions: z.array(z.string()).default([]),
  pricingInfo: z
    .array(
      z.object({
        effectiveTime: z.string().optional(),
        pricingExpression: z.object({
          usageUnit: z.string(),
          tieredRates: z.array(
            z.object({ startUsageAmount: z.number().default(0), unitPrice: money }),
          ),
        }),
      }),
    )
    .min(1),
});
export type CatalogSku = z.infer<typeof catalogSkuSchema>;

/** A page of `services.skus.list`. */
export const skuPageSchema = z.object({
  skus: z.array(catalogSkuSchema).default([]),
  nextPageToken: z.string().optional(),
});

/** A page of `services.list`. */
export const servicePageSchema = z.object({
  services: z
    .array(z.object({ name: z.string(), serviceId: z.string(), displayName: z.string() }))
    .default([]),
  nextPageToken: z.string().optional(),
});

/** One refreshed figure: a table SKU's price in one location, as the catalog states it. */
export const catalogPriceSchema = z.strictObject({
  sku: z.string(),
  /** GCP location (lower case), or "any" for a SKU the catalog prices globally. */
  location: z.string(),
  usd: z.number().min(0),
  per: z.number().positive(),
  catalogSkuId: z.string(),
  catalogDescription: z.string(),
  taken: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
export type CatalogPrice = z.infer<typeof catalogPriceSchema>;

/** `runtime/cost/catalog-prices.json`. */
export const catalogPriceFileSchema = z.strictObject({
  version: z.literal(1),
  refreshed: z.string().nullable(),
  prices: z.array(catalogPriceSchema),
});
export type CatalogPriceFile = z.infer<typeof catalogPriceFileSchema>;

/** Every GCP location the topology allows (regions and multi-regions), lower case. */
function allowedLocations(): Set<string> {
  return new Set(
    GEOGRAPHY_IDS.flatMap((g) => [
      ...GEOGRAPHIES[g].allowedGcpRegions,
      GEOGRAPHIES[g].firestoreLocation,
      GEOGRAPHIES[g].bigQueryLocation,
    ]).map((l) => l.toLowerCase()),
  );
}

/** US dollars per catalog usage unit: the first non-zero tier (free tiers are deducted apart). */
export function catalogUnitPrice(sku: CatalogSku): number | undefined {
  const rates = sku.pricingInfo[0].pricingExpression.tieredRates;
  const usd = rates
    .filter((r) => r.unitPrice.currencyCode === "USD")
    .map((r) => Number(r.unitPrice.units ?? 0) + (r.unitPrice.nanos ?? 0) / 1e9);
  return usd.find((u) => u > 0) ?? (usd.length > 0 ? 0 : undefined);
}

/** The outcome of matching the table against catalog SKUs. */
export interface CatalogRefresh {
  readonly file: CatalogPriceFile;
  /** Table SKUs with a catalog key for which the catalog had no matching SKU. */
  readonly unmatched: readonly string[];
}

/**
 * Finds every table SKU that names a catalog key among `skusByService` (catalog SKUs by their
 * service's display name) and takes its figure for each location the topology allows.
 * Deterministic: entries are sorted by SKU and location.
 */
export function refreshFromCatalog(
  table: readonly Price[],
  skusByService: Readonly<Record<string, readonly CatalogSku[]>>,
  taken: string,
): CatalogRefresh {
  const allowed = allowedLocations();
  const seen = new Set<string>();
  const prices: CatalogPrice[] = [];
  const unmatched = new Set<string>();
  for (const price of table) {
    const match = price.catalog;
    if (!match || seen.has(price.sku)) continue;
    seen.add(price.sku);
    const candidates = (skusByService[match.service] ?? []).filter(
      (s) =>
        s.description.startsWith(match.descriptionPrefix) &&
        s.pricingInfo[0].pricingExpression.usageUnit === match.usageUnit,
    );
    let found = false;
    for (const s of candidates) {
      const unitUsd = catalogUnitPrice(s);
      if (unitUsd === undefined) continue;
      const regions = s.serviceRegions.map((r) => r.toLowerCase());
      const locations = regions.includes("global")
        ? ["any"]
        : regions.filter((r) => allowed.has(r));
      for (const location of locations) {
        found = true;
        prices.push({
          sku: price.sku,
          location,
          usd: Number((unitUsd * price.per).toPrecision(12)),
          per: price.per,
          catalogSkuId: s.skuId,
          catalogDescription: s.description,
          taken,
        });
      }
    }
    if (!found) unmatched.add(price.sku);
  }
  prices.sort((a, b) =>
    a.sku === b.sku ? (a.location < b.location ? -1 : 1) : a.sku < b.sku ? -1 : 1,
  );
  return {
    file: { version: 1, refreshed: prices.length > 0 ? taken : null, prices },
    unmatched: [...unmatched].sort(),
  };
}

/**
 * The table with refreshed figures in front: each becomes a quote for its location, sourced to
 * the catalog SKU and dated, so a location-specific lookup finds it before the stored entries.
 */
export function withCatalogPrices(stored: readonly Price[], file: unknown): readonly Price[] {
  const parsed = catalogPriceFileSchema.safeParse(file);
  if (!parsed.success) {
    throw new Error(`catalog-prices.json is not a catalog price file: ${parsed.error.message}`);
  }
  const refreshed = parsed.data.prices.flatMap((c): Price[] => {
    const base = stored.find((p) => p.sku === c.sku);
    if (!base) return [];
    return [
      {
        sku: c.sku,
        product: base.product,
        description: base.description,
        unit: base.unit,
        per: c.per,
        usd: c.usd,
        locations: c.location === "any" ? "any" : [c.location],
        source: {
          url: CATALOG_API_URL,
          via: `Cloud Billing Catalog API, SKU ${c.catalogSkuId} "${c.catalogDescription}"`,
          taken: c.taken,
        },
        ...(base.catalog ? { catalog: base.catalog } : {}),
      },
    ];
  });
  return [...refreshed, ...stored];
}

/** How `fetchCatalog` reaches the API. */
export interface CatalogAccess {
  /** An API key (`?key=`) or an OAuth access token (`Authorization: Bearer`). */
  readonly apiKey?: string;
  readonly accessToken?: string;
  readonly fetch?: (
    url: string,
    init?: { headers?: Record<string, string> },
  ) => Promise<{
    ok: boolean;
    status: number;
    json(): Promise<unknown>;
  }>;
}

const API = "https://cloudbilling.googleapis.com/v1";

/** Reads every page of `services.skus.list` for the services the table's catalog keys name. */
export async function fetchCatalog(
  table: readonly Price[],
  access: CatalogAccess,
): Promise<Record<string, CatalogSku[]>> {
  const get = access.fetch ?? ((url, init) => fetch(url, init));
  const headers: Record<string, string> = access.accessToken
    ? { Authorization: `Bearer ${access.accessToken}` }
    : {};
  const withKey = (url: string) =>
    access.apiKey ? `${url}${url.includes("?") ? "&" : "?"}key=${access.apiKey}` : url;
  const pages = async <T>(
    path: string,
    schema: z.ZodType<T & { nextPageToken?: string }>,
  ): Promise<T[]> => {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const sep = path.includes("?") ? "&" : "?";
      const url = withKey(`${API}/${path}${token ? `${sep}pageToken=${token}` : ""}`);
      const response = await get(url, { headers });
      if (!response.ok)
        throw new Error(`Cloud Billing Catalog API: HTTP ${response.status} for ${path}`);
      const page = schema.parse(await response.json());
      out.push(page);
      token = page.nextPageToken || undefined;
    } while (token);
    return out;
  };
  const wanted = new Set(table.flatMap((p) => (p.catalog ? [p.catalog.service] : [])));
  const services = (await pages("services", servicePageSchema)).flatMap((p) => p.services);
  const result: Record<string, CatalogSku[]> = {};
  for (const service of services.filter((s) => wanted.has(s.displayName))) {
    const skuPages = await pages(`${service.name}/skus?currencyCode=USD`, skuPageSchema);
    result[service.displayName] = skuPages.flatMap((p) => p.skus);
  }
  return result;
}
