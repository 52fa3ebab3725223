import { HOURS_PER_MONTH, SECONDS_PER_MONTH } from "./defaults";
import { freeLine, priceLine, zeroLine } from "./line";
import { MEMORYSTORE_CAPACITY_TIERS, type PricingMode } from "./prices";
import type { AttributionKind, CostLine, PlannedResource } from "./types";

/**
 * Pricing rules for fixed costs: what a planned resource costs per month by its inputs alone.
 * Resources whose cost depends only on traffic get an explicit $0 line saying so; types with no
 * rule are grouped into "not priced" lines by the estimate, never dropped.
 */

/** What every rule may read besides the resource itself. */
export interface RuleContext {
  /** Location of resources whose inputs name none (the stack's home GCP region). */
  readonly defaultLocation: string;
  readonly mode: PricingMode;
  /** Replica locations per secret id, for pricing secret versions. */
  readonly secretLocations: ReadonlyMap<string, number>;
}

type Rule = (resource: PlannedResource, context: RuleContext) => CostLine[];

type Inputs = Readonly<Record<string, unknown>>;

function record(value: unknown): Inputs {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Inputs) : {};
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** The GCP location a resource's inputs name: region, location, or the region of a zone. */
export function locationOf(inputs: Inputs, fallback: string): string {
  const zone = text(inputs.locationId);
  const named = text(inputs.region) ?? text(inputs.location) ?? zone?.replace(/-[a-z]$/, "");
  return (named ?? fallback).toLowerCase();
}

const key = (r: PlannedResource, part: string): string => `fixed:${r.type}:${r.name}:${part}`;

/** The Memorystore SKU of a service tier (BASIC, STANDARD_HA) and a capacity in GB. */
export function memorystoreSku(
  tier: string,
  sizeGb: number,
): { sku: string; capacityTier: string } {
  const serviceTier = tier === "STANDARD_HA" ? "standard" : "basic";
  const capacity =
    MEMORYSTORE_CAPACITY_TIERS.find((t) => sizeGb >= t.minGb && sizeGb <= t.maxGb) ??
    MEMORYSTORE_CAPACITY_TIERS[MEMORYSTORE_CAPACITY_TIERS.length - 1];
  return {
    sku: `memorystore.${serviceTier}.${capacity.tier.toLowerCase()}`,
    capacityTier: capacity.tier,
  };
}

/** Memorystore: provisioned GB × hours × the price of its service tier and capacity tier. */
const redisInstance: Rule = (r, ctx) => {
  const sizeGb = Number(r.inputs.memorySizeGb ?? 0);
  const tier = text(r.inputs.tier) === "STANDARD_HA" ? "STANDARD_HA" : "BASIC";
  const { sku, capacityTier } = memorystoreSku(tier, sizeGb);
  return [
    priceLine(
      {
        key: key(r, "capacity"),
        basis: "fixed",
        category: "redis",
        location: locationOf(r.inputs, ctx.defaultLocation),
        subject: r.type,
        description: `${r.name}: ${sizeGb} GB ${tier} (${capacityTier}) × ${HOURS_PER_MONTH} h`,
        sku,
        quantity: sizeGb * HOURS_PER_MONTH,
        attribution: { kind: "cache", name: r.name },
      },
      ctx.mode,
    ),
  ];
};

/** Parses a Cloud Run CPU limit ("1", "2", "1000m"). */
export function parseCpu(value: unknown): number {
  const s = String(value ?? "1");
  return s.endsWith("m") ? Number(s.slice(0, -1)) / 1000 : Number(s);
}

/** Parses a Cloud Run memory limit ("512Mi", "4Gi", "1G") into GiB. */
export function parseMemoryGib(value: unknown): number {
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi|M|G)?$/.exec(String(value ?? "512Mi"));
  if (!match) return 0.5;
  const n = Number(match[1]);
  const unit = match[2] ?? "";
  const bytes = { Mi: 2 ** 20, Gi: 2 ** 30, M: 1e6, G: 1e9, "": 1 }[unit] ?? 1;
  return (n * bytes) / 2 ** 30;
}

/**
 * Whether a Cloud Run container is billed per instance: `cpuIdle: false`, or `resources` set
 * without `cpuIdle`. pulumi-gcp documents `cpuIdle` as "true by default if the parent `resources`
 * field is not set. However, if `resources` is set, this field must be explicitly set to true to
 * preserve the default behavior." (Avalo's services set `cpuIdle: true`.)
 */
export function isInstanceBased(container: Inputs): boolean {
  if (!("resources" in container) || container.resources === undefined) return false;
  const resources = record(container.resources);
  return resources.cpuIdle !== true;
}

/** Cloud Run: idle minimum instances all month; zero minimum instances is an explicit $0. */
const cloudRunService: Rule = (r, ctx) => {
  const template = record(r.inputs.template);
  const container = record(list(template.containers)[0]);
  const resources = record(container.resources);
  const limits = record(resources.limits);
  const cpu = parseCpu(limits.cpu);
  const memoryGib = parseMemoryGib(limits.memory);
  const minInstances = Math.max(
    Number(record(r.inputs.scaling).minInstanceCount ?? 0),
    Number(record(template.scaling).minInstanceCount ?? 0),
  );
  const location = locationOf(r.inputs, ctx.defaultLocation);
  const base = {
    basis: "fixed" as const,
    category: "cloudrun" as const,
    location,
    subject: r.type,
    attribution: { kind: "service" as const, name: r.name },
  };
  const instanceBased = isInstanceBased(container);
  const billing = instanceBased
    ? "instance-based billing: cpuIdle is false, or resources is set without cpuIdle"
    : undefined;
  if (minInstances === 0) {
    return [
      {
        ...zeroLine(
          {
            ...base,
            key: key(r, "min-instances"),
            description: `${r.name}: min instances 0 (scales to zero; serving is usage-driven)`,
          },
          "instances",
        ),
        ...(billing ? { note: billing } : {}),
      },
    ];
  }
  const seconds = minInstances * SECONDS_PER_MONTH;
  const what = `${r.name}: ${minInstances} min instance${minInstances > 1 ? "s" : ""} × ${HOURS_PER_MONTH} h`;
  return [
    priceLine(
      {
        ...base,
        key: key(r, "min-cpu"),
        description: `${what} × ${cpu} vCPU`,
        sku: instanceBased ? "run.instance-cpu" : "run.idle-cpu",
        quantity: seconds * cpu,
        note: billing ?? "idle minimum instances; serving time is billed as usage",
      },
      ctx.mode,
    ),
    priceLine(
      {
        ...base,
        key: key(r, "min-memory"),
        description: `${what} × ${memoryGib} GiB`,
        sku: instanceBased ? "run.instance-memory" : "run.idle-memory",
        quantity: seconds * memoryGib,
      },
      ctx.mode,
    ),
  ];
};

/** Seconds of a duration string such as "7776000s". */
function durationSeconds(value: unknown): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(String(value ?? ""));
  return match ? Number(match[1]) : undefined;
}

/** KMS: active key versions a year after creation (one more per rotation, none destroyed). */
const cryptoKey: Rule = (r, ctx) => {
  const rotation = durationSeconds(r.inputs.rotationPeriod);
  const versions = rotation ? 1 + Math.floor((365 * 86_400) / rotation) : 1;
  const keyRing = text(r.inputs.keyRing) ?? "";
  const location = /\/locations\/([^/]+)/.exec(keyRing)?.[1] ?? ctx.defaultLocation;
  return [
    priceLine(
      {
        key: key(r, "versions"),
        basis: "fixed",
        category: "other",
        location,
        subject: r.type,
        description: `${r.name}: ${versions} active key version${versions > 1 ? "s" : ""}`,
        sku: "kms.key-version",
        quantity: versions,
        note: rotation
          ? `versions after 12 months of rotation every ${rotation / 86_400} days`
          : undefined,
      },
      ctx.mode,
    ),
  ];
};

/** Number of locations a secret's replication policy stores versions in. */
export function secretLocationCount(inputs: Inputs): number {
  const replication = record(inputs.replication);
  const userManaged = record(replication.userManaged);
  const replicas = list(userManaged.replicas);
  return replicas.length > 0 ? replicas.length : 1;
}

const secret: Rule = (r, ctx) => [
  zeroLine(
    {
      key: key(r, "secret"),
      basis: "fixed",
      category: "other",
      location: locationOf(r.inputs, ctx.defaultLocation),
      subject: r.type,
      description: `${r.name}: secret (its versions are billed per location)`,
    },
    "secrets",
  ),
];

const secretVersion: Rule = (r, ctx) => {
  const secretId = (text(r.inputs.secret) ?? "").split("/").pop() ?? "";
  const locations = ctx.secretLocations.get(secretId) ?? 1;
  return [
    priceLine(
      {
        key: key(r, "version"),
        basis: "fixed",
        category: "other",
        location: ctx.defaultLocation,
        subject: r.type,
        description: `${r.name}: 1 active version × ${locations} location${locations > 1 ? "s" : ""}`,
        sku: "secretmanager.version",
        quantity: locations,
      },
      ctx.mode,
    ),
  ];
};

const ATTRIBUTION_BY_TYPE: Readonly<Record<string, AttributionKind>> = {
  "gcp:pubsub/topic:Topic": "topic",
  "gcp:storage/bucket:Bucket": "bucket",
  "gcp:firestore/database:Database": "database",
  "gcp:cloudrunv2/job:Job": "service",
};

/** A resource with no charge of its own: its cost is traffic or stored data (usage lines). */
function usageDriven(category: CostLine["category"], what: string): Rule {
  return (r, ctx) => [
    zeroLine(
      {
        key: key(r, "fixed"),
        basis: "fixed",
        category,
        location: locationOf(r.inputs, ctx.defaultLocation),
        subject: r.type,
        description: `${r.name}: no fixed charge (${what} is usage-driven)`,
        attribution: { kind: ATTRIBUTION_BY_TYPE[r.type] ?? "resource", name: r.name },
      },
      "resources",
    ),
  ];
}

const firestoreDatabase: Rule = (r, ctx) => {
  const lines = usageDriven("firestore", "operations and storage")(r, ctx);
  if (r.inputs.pointInTimeRecoveryEnablement !== "POINT_IN_TIME_RECOVERY_ENABLED") return lines;
  return [
    ...lines,
    zeroLine(
      {
        key: key(r, "pitr"),
        basis: "fixed",
        category: "firestore",
        location: locationOf(r.inputs, ctx.defaultLocation),
        subject: r.type,
        description: `${r.name}: point-in-time recovery on (its data is usage-driven: firestore:pitr)`,
        attribution: { kind: "database", name: r.name },
      },
      "resources",
    ),
  ];
};

const alertPolicy: Rule = (r, ctx) => {
  const conditions = list(r.inputs.conditions).length || 1;
  return [
    priceLine(
      {
        key: key(r, "conditions"),
        basis: "fixed",
        category: "other",
        location: "global",
        subject: r.type,
        description: `${r.name}: ${conditions} alerting condition${conditions > 1 ? "s" : ""}`,
        sku: "monitoring.alert-condition",
        quantity: conditions,
      },
      ctx.mode,
    ),
  ];
};

/** Firestore scheduled backups: their data is usage-driven (firestore:backup). */
const firestoreBackupSchedule: Rule = (r, ctx) => [
  zeroLine(
    {
      key: key(r, "backups"),
      basis: "fixed",
      category: "firestore",
      location: locationOf(r.inputs, ctx.defaultLocation),
      subject: r.type,
      description: `${r.name}: backups kept ${text(r.inputs.retention) ?? "(unset)"} (their data is usage-driven: firestore:backup)`,
      attribution: { kind: "database", name: r.name },
    },
    "resources",
  ),
];

/** Artifact Registry: stored images are billed per GiB-month (usage-driven). */
const artifactRepository: Rule = (r, ctx) => [
  zeroLine(
    {
      key: key(r, "storage"),
      basis: "fixed",
      category: "storage",
      location: locationOf(r.inputs, ctx.defaultLocation),
      subject: r.type,
      description: `${r.name}: no fixed charge (stored artifacts are billed per GiB-month, SKU artifactregistry.storage)`,
      attribution: { kind: "resource", name: r.name },
    },
    "resources",
  ),
];

/** A log bucket: ingestion is usage; retention beyond 30 days is billed per GiB-month. */
const logBucket: Rule = (r) => {
  const days = Number(r.inputs.retentionDays ?? 30);
  const billed =
    days > 30
      ? `retention ${days} days: ${days - 30} days billed per GiB-month`
      : `retention ${days} days (included)`;
  return [
    zeroLine(
      {
        key: key(r, "retention"),
        basis: "fixed",
        category: "other",
        location: locationOf(r.inputs, "global"),
        subject: r.type,
        description: `${r.name}: no fixed charge; ${billed} (SKUs logging.ingestion, logging.retention)`,
        attribution: { kind: "bucket", name: r.name },
      },
      "resources",
    ),
  ];
};

/** A resource type with no charge of its own, with the reason shown on its line. */
function free(reason: string): Rule {
  return (r, ctx) => [
    freeLine(
      {
        key: key(r, "free"),
        basis: "fixed",
        category: "other",
        location: locationOf(r.inputs, ctx.defaultLocation),
        subject: r.type,
        description: `${r.name}: free (${reason})`,
      },
      1,
    ),
  ];
}

const IAM = free("IAM has no charge");
const CONFIG = free("configuration; no charge of its own");

/** Pricing rules by Pulumi resource type. */
export const RULES: Readonly<Record<string, Rule>> = {
  "gcp:redis/instance:Instance": redisInstance,
  "gcp:cloudrunv2/service:Service": cloudRunService,
  "gcp:cloudrunv2/job:Job": usageDriven("cloudrun", "task execution time"),
  "gcp:kms/cryptoKey:CryptoKey": cryptoKey,
  "gcp:kms/keyRing:KeyRing": free("key rings have no charge; key versions do"),
  "gcp:secretmanager/secret:Secret": secret,
  "gcp:secretmanager/secretVersion:SecretVersion": secretVersion,
  "gcp:firestore/database:Database": firestoreDatabase,
  "gcp:firestore/backupSchedule:BackupSchedule": firestoreBackupSchedule,
  "gcp:monitoring/alertPolicy:AlertPolicy": alertPolicy,
  "gcp:monitoring/notificationChannel:NotificationChannel": free("notification channels"),
  "gcp:monitoring/dashboard:Dashboard": free("dashboards"),
  "gcp:storage/bucket:Bucket": usageDriven("storage", "stored data and operations"),
  "gcp:storage/bucketObject:BucketObject": usageDriven("storage", "its stored bytes"),
  "gcp:storage/notification:Notification": free("notifications; their Pub/Sub messages are usage"),
  "gcp:pubsub/topic:Topic": usageDriven("pubsub", "throughput"),
  "gcp:pubsub/subscription:Subscription": usageDriven("pubsub", "throughput"),
  "gcp:bigquery/dataset:Dataset": usageDriven("other", "storage and queries"),
  "gcp:bigquery/table:Table": usageDriven("other", "storage and queries"),
  "gcp:artifactregistry/repository:Repository": artifactRepository,
  "gcp:logging/projectBucketConfig:ProjectBucketConfig": logBucket,
  "gcp:logging/projectSink:ProjectSink": free("log routing; the destination bills what it stores"),
  "gcp:projects/iAMAuditConfig:IAMAuditConfig": free(
    "configuration; the audit logs it enables are usage (logging lines)",
  ),
  "gcp:projects/iAMCustomRole:IAMCustomRole": IAM,
  "gcp:serviceaccount/account:Account": free("service accounts have no charge"),
  "gcp:projects/service:Service": free("API enablement"),
  "gcp:projects/serviceIdentity:ServiceIdentity": free("service agents have no charge"),
  "gcp:compute/network:Network": free("VPC networks have no charge; traffic is usage"),
  "gcp:compute/subnetwork:Subnetwork": free("subnets have no charge; traffic is usage"),
  "gcp:compute/firewall:Firewall": free("firewall rules have no charge"),
  "gcp:compute/globalAddress:GlobalAddress": free(
    "an internal range reserved for private services access",
  ),
  "gcp:servicenetworking/connection:Connection": free("private services access peering"),
  "gcp:firebaserules/ruleset:Ruleset": CONFIG,
  "gcp:firebaserules/release:Release": CONFIG,
  "gcp:firebase/project:Project": free("adding Firebase to a project has no charge"),
  "gcp:firebase/webApp:WebApp": free("app registrations have no charge"),
  "gcp:firebase/androidApp:AndroidApp": free("app registrations have no charge"),
  "gcp:firebase/appleApp:AppleApp": free("app registrations have no charge"),
  "gcp:logging/projectExclusion:ProjectExclusion": free("exclusions have no charge"),
  "gcp:logging/metric:Metric": usageDriven("other", "its time series (Monitoring metrics)"),
  // reCAPTCHA bills the assessments created with a key (stored copy of
  // cloud.google.com/recaptcha-enterprise/docs/create-assessment and its billing page), not the key.
  "gcp:recaptcha/enterpriseKey:EnterpriseKey": free(
    "no charge of its own; reCAPTCHA bills each assessment (the first 10,000 a month free), which the usage model does not count",
  ),
};

/** Type patterns priced as free when no exact rule names them (IAM bindings, App Check). */
const FREE_PATTERNS: ReadonlyArray<readonly [RegExp, Rule]> = [
  [/(IAMMember|IamMember|IAMBinding|IamBinding|IAMPolicy|IamPolicy)$/, IAM],
  [
    /^gcp:firebase\/appCheck/,
    free("App Check configuration; attestation providers bill their own assessments"),
  ],
];

/** The rule of a resource type: an exact rule, a free pattern, or none ("not priced"). */
export function ruleFor(type: string): Rule | undefined {
  return RULES[type] ?? FREE_PATTERNS.find(([pattern]) => pattern.test(type))?.[1];
}
