import { SERVICE_SECRET_VARIABLES } from "../services/container";
import { GEOGRAPHIES, type GeographyId } from "../topology";
import type { RegionDemand, ServiceDemand } from "./demand";
import { HOURS_PER_MONTH } from "./defaults";
import { priceLine, type LineSpec } from "./line";
import type { PricingMode } from "./prices";
import { memorystoreSku } from "./rules";
import type { AttributionKind, CostCategory, CostLine } from "./types";
import type { UsageModel } from "./usage";

/** Options of pricing derived demand. */
export interface UsagePricingOptions {
  readonly mode: PricingMode;
  /**
   * Price what the model provisions (Redis capacity, minimum instances) as well. False when a
   * plan supplies those as fixed lines, so they are not counted twice.
   */
  readonly includeProvisioned: boolean;
}

const TIB = 2 ** 40;
const GIB = 2 ** 30;

function line(
  location: string,
  component: string,
  category: CostCategory,
  description: string,
  sku: string,
  quantity: number,
  note?: string,
  attribution?: CostLine["attribution"],
): LineSpec {
  return {
    key: `usage:${location}:${component}`,
    basis: "usage",
    category,
    location,
    subject: component.split(":")[0],
    description,
    sku,
    quantity,
    ...(note ? { note } : {}),
    ...(attribution ? { attribution } : {}),
  };
}

/** Attributes specs to a service, topic, bucket, database or cache. */
function to(kind: AttributionKind, name: string, specs: LineSpec[]): LineSpec[] {
  return specs.map((s) => ({ ...s, attribution: { kind, name } }));
}

const MEDIA_BUCKET = "media";

function serviceLines(
  d: RegionDemand,
  name: string,
  s: ServiceDemand,
  category: CostCategory,
  options: UsagePricingOptions,
): LineSpec[] {
  const at = d.gcpRegion;
  const specs = [
    line(at, `${name}:cpu`, category, `${name}: vCPU while serving`, "run.cpu", s.vcpuSeconds),
    line(
      at,
      `${name}:memory`,
      category,
      `${name}: memory while serving`,
      "run.memory",
      s.gibSeconds,
    ),
    line(at, `${name}:requests`, category, `${name}: requests`, "run.requests", s.requests),
  ];
  if (s.secretAccesses > 0) {
    specs.push(
      line(
        at,
        `${name}:secret-accesses`,
        "other",
        `${name}: Secret Manager accesses, ${SERVICE_SECRET_VARIABLES.length} secrets read at each instance start`,
        "secretmanager.access",
        s.secretAccesses,
      ),
    );
  }
  if (options.includeProvisioned && s.idleInstanceSeconds > 0) {
    specs.push(
      line(
        at,
        `${name}:idle-cpu`,
        category,
        `${name}: idle min instances, vCPU`,
        "run.idle-cpu",
        s.idleInstanceSeconds * s.cpu,
      ),
      line(
        at,
        `${name}:idle-memory`,
        category,
        `${name}: idle min instances, memory`,
        "run.idle-memory",
        s.idleInstanceSeconds * s.memoryGib,
      ),
    );
  }
  return to("service", name, specs);
}

function regionLines(d: RegionDemand, model: UsageModel, options: UsagePricingOptions): LineSpec[] {
  const at = d.gcpRegion;
  const specs: LineSpec[] = [...serviceLines(d, "api", d.api, "compute", options)];
  for (const [name, s] of Object.entries(d.services))
    specs.push(...serviceLines(d, name, s, "cloudrun", options));
  const batch = model.pubsub.messagesPerPublishRequest;
  for (const [topic, t] of Object.entries(d.topics)) {
    specs.push(
      line(
        at,
        `pubsub:${topic}:throughput`,
        "pubsub",
        `Pub/Sub ${topic}: publish${batch === 1 ? " (unbatched: 1,000-byte minimum per request)" : ` (${batch} per request)`} + push + filtered copies`,
        "pubsub.throughput",
        (t.publishBilledBytes + t.deliveryBilledBytes + t.filteredBilledBytes) / TIB,
        t.filteredBilledBytes > 0
          ? "deliveries dropped by the other regions' subscription filters are billed too"
          : undefined,
        { kind: "topic", name: topic },
      ),
    );
  }
  specs.push(
    line(
      at,
      "pubsub:bigquery-subscription",
      "pubsub",
      "Pub/Sub BigQuery subscription writes",
      "pubsub.bigquery-subscription",
      d.bigquerySubscriptionBytes / TIB,
    ),
    ...to("bucket", MEDIA_BUCKET, [
      line(
        at,
        "storage:standard",
        "storage",
        "Cloud Storage media stored",
        "storage.standard",
        d.storageGib,
      ),
      line(
        at,
        "storage:class-a",
        "storage",
        "Cloud Storage object writes",
        "storage.class-a",
        d.classAOperations,
      ),
      line(
        at,
        "storage:class-b",
        "storage",
        "Cloud Storage object reads",
        "storage.class-b",
        d.classBOperations,
      ),
    ]),
    line(
      at,
      "monitoring:metrics",
      "other",
      "Cloud Monitoring metrics ingested",
      "monitoring.metrics",
      d.monitoringMib,
    ),
  );
  specs.push(...loggingLines(d, model), ...egressLines(d, model), ...kmsLines(d, model));
  if (d.crossRegionGib > 0) {
    specs.push(
      line(
        at,
        "network:inter-region",
        "other",
        "traffic between the geography's regions",
        "network.inter-region",
        d.crossRegionGib,
      ),
    );
  }
  if (options.includeProvisioned) {
    const gb = model.redis.memorySizeGbPerRegion;
    specs.push(
      line(
        at,
        "redis:capacity",
        "redis",
        `Memorystore ${gb} GB ${model.redis.tier} × ${HOURS_PER_MONTH} h`,
        memorystoreSku(model.redis.tier, gb).sku,
        gb * HOURS_PER_MONTH,
        undefined,
        { kind: "cache", name: "redis" },
      ),
    );
  }
  return specs;
}

/** Cloud Logging: audit and request logs ingested, audit logs kept beyond 30 days. */
function loggingLines(d: RegionDemand, model: UsageModel): LineSpec[] {
  const at = d.gcpRegion;
  const l = model.logging;
  const specs: LineSpec[] = [];
  if (d.auditLogBytes > 0) {
    specs.push(
      line(
        at,
        "logging:audit-ingestion",
        "other",
        `Data Access audit logs: ${l.auditEntriesPerOperation} entries per operation + 1 per publish request × ${l.bytesPerAuditEntry} B`,
        "logging.ingestion",
        d.auditLogBytes / GIB,
      ),
    );
  }
  if (d.requestLogBytes > 0) {
    specs.push(
      line(
        at,
        "logging:request-ingestion",
        "other",
        `Cloud Run request logs: ${l.requestLogBytes} B per request (API and services)`,
        "logging.ingestion",
        d.requestLogBytes / GIB,
      ),
    );
  }
  if (d.auditRetainedGib > 0) {
    specs.push(
      line(
        at,
        "logging:audit-retention",
        "other",
        `audit logs kept ${l.auditRetentionDays} days: GiB held beyond 30 days`,
        "logging.retention",
        d.auditRetainedGib,
      ),
    );
  }
  return specs;
}

/**
 * Cloud KMS operations the usage drives: decrypts of the CMEK-protected secrets the services
 * read (attributed to the region's `secrets` key).
 */
function kmsLines(d: RegionDemand, model: UsageModel): LineSpec[] {
  const perAccess = model.secrets?.kmsDecryptsPerAccess ?? 0;
  const accesses = Object.values(d.services).reduce((t, s) => t + s.secretAccesses, 0);
  if (perAccess === 0 || accesses === 0) return [];
  return [
    line(
      d.gcpRegion,
      "kms:secret-decrypts",
      "other",
      `Cloud KMS decrypts of the CMEK secrets: ${perAccess} per Secret Manager access`,
      "kms.operations",
      accesses * perAccess,
      undefined,
      { kind: "resource", name: "secrets" },
    ),
  ];
}

/** Internet egress: media from the bucket (or a CDN's cache) and API responses. */
function egressLines(d: RegionDemand, model: UsageModel): LineSpec[] {
  const at = d.gcpRegion;
  const e = model.egress;
  const specs: LineSpec[] = [];
  if (d.mediaOriginBytes > 0) {
    specs.push(
      line(
        at,
        "egress:media",
        "storage",
        `media served from the bucket: ${e.bytesPerMediaRead} B per read × ${Math.round((1 - e.cdnShare) * 100)}% not from a CDN`,
        "network.internet-egress",
        d.mediaOriginBytes / GIB,
        undefined,
        { kind: "bucket", name: MEDIA_BUCKET },
      ),
    );
  }
  if (d.mediaCdnBytes > 0) {
    specs.push(
      line(
        at,
        "egress:media-cdn-lookups",
        "storage",
        `CDN cache lookups for media (${Math.round(e.cdnShare * 100)}% of media reads)`,
        "network.cdn-lookup",
        d.mediaCdnBytes / e.bytesPerMediaRead,
        undefined,
        { kind: "bucket", name: MEDIA_BUCKET },
      ),
      line(
        at,
        "egress:media-cdn",
        "storage",
        `media served from a CDN cache (${Math.round(e.cdnShare * 100)}%)`,
        "network.cdn-egress",
        d.mediaCdnBytes / GIB,
        undefined,
        { kind: "bucket", name: MEDIA_BUCKET },
      ),
    );
  }
  if (d.apiEgressBytes > 0) {
    specs.push(
      line(
        at,
        "egress:api",
        "compute",
        `API responses: ${e.apiResponseBytes} B per operation`,
        "network.internet-egress",
        d.apiEgressBytes / GIB,
        undefined,
        { kind: "service", name: "api" },
      ),
    );
  }
  return specs;
}

/** Firestore and BigQuery live in the geography's (multi-)region location, not per region. */
function geographyLines(
  geography: GeographyId,
  demands: readonly RegionDemand[],
  model: UsageModel,
): LineSpec[] {
  const g = GEOGRAPHIES[geography];
  const fs = g.firestoreLocation.toLowerCase();
  const bq = g.bigQueryLocation.toLowerCase();
  const sum = (f: (d: RegionDemand) => number) => demands.reduce((t, d) => t + f(d), 0);
  const rows = sum((d) => d.bigqueryRows);
  return [
    ...to("database", "(default)", [
      line(
        fs,
        "firestore:reads",
        "firestore",
        "Firestore document reads",
        "firestore.reads",
        sum((d) => d.firestoreReads),
      ),
      line(
        fs,
        "firestore:writes",
        "firestore",
        "Firestore document writes",
        "firestore.writes",
        sum((d) => d.firestoreWrites),
      ),
      line(
        fs,
        "firestore:storage",
        "firestore",
        "Firestore stored data",
        "firestore.storage",
        sum((d) => d.firestoreStoredGib),
      ),
      ...(model.firestore.pitr
        ? [
            line(
              fs,
              "firestore:pitr",
              "firestore",
              "Firestore point-in-time recovery data (taken as the stored data)",
              "firestore.pitr",
              sum((d) => d.firestoreStoredGib) * HOURS_PER_MONTH,
            ),
          ]
        : []),
      ...(model.firestore.backupsRetained > 0
        ? [
            line(
              fs,
              "firestore:backup",
              "firestore",
              `Firestore backups: ${model.firestore.backupsRetained} full copies kept`,
              "firestore.backup",
              sum((d) => d.firestoreStoredGib) * model.firestore.backupsRetained * HOURS_PER_MONTH,
            ),
          ]
        : []),
    ]),
    line(
      bq,
      "bigquery:storage",
      "other",
      `BigQuery active storage (${model.bigquery.activeMonths} months of rows)`,
      "bigquery.active-storage",
      (rows * model.bigquery.rowBytes * model.bigquery.activeMonths) / GIB,
    ),
    line(
      bq,
      "bigquery:queries",
      "other",
      "BigQuery on-demand queries",
      "bigquery.on-demand",
      sum((d) => d.bigqueryTibScanned),
    ),
  ];
}

/** Prices the derived demand of some regions as usage-driven lines. */
export function usageLines(
  demands: readonly RegionDemand[],
  model: UsageModel,
  options: UsagePricingOptions,
): CostLine[] {
  const geographies = [...new Set(demands.map((d) => d.geography))];
  const specs = [
    ...demands.flatMap((d) => regionLines(d, model, options)),
    ...geographies.flatMap((g) =>
      geographyLines(
        g,
        demands.filter((d) => d.geography === g),
        model,
      ),
    ),
  ];
  return specs.map((s) => priceLine(s, options.mode));
}
