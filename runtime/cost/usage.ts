import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { PIPELINES } from "../catalog/pipelines";
import { SERVICES } from "../catalog/services";
import { GEOGRAPHY_IDS } from "../topology";

/**
 * The usage model (`usage/*.yaml`): who uses the platform and how much, from which the estimate
 * derives monthly requests, instance-seconds, Pub/Sub bytes, Firestore operations and BigQuery
 * rows. Every figure in it is an assumption about traffic, never a price.
 */

/** The scale report's operation mix. */
export const OPERATIONS = ["feed", "profile", "likes", "chat", "ai", "payments"] as const;
export type Operation = (typeof OPERATIONS)[number];

const PIPELINE_NAMES = PIPELINES.map((p) => p.name) as [string, ...string[]];
const SERVICE_NAMES = SERVICES.map((s) => s.name) as [string, ...string[]];

const share = z.number().min(0).max(1);
const count = z.number().min(0);
const perOperation = z.partialRecord(z.enum(OPERATIONS), count);

const operationSpec = z.strictObject({
  /** Firestore document reads per operation, before the cache. */
  firestoreReads: count,
  /** Of those reads, how many the Redis cache can serve. */
  cacheableReads: count,
  /** Firestore document writes per operation, not counting counter increments. */
  firestoreWrites: count,
  /** Counter increments per operation (likes, balances): sharded or single-document. */
  counterIncrements: count.default(0),
  /** CPU milliseconds of the synchronous API handler per operation. */
  apiCpuMs: count,
  /** Cloud Storage object writes (Class A) and reads (Class B) per operation. */
  mediaWrites: count.default(0),
  mediaReads: count.default(0),
  /** KiB per operation that crosses between the geography's regions. */
  crossRegionKib: count.default(0),
});

const modelShape = z.strictObject({
  name: z.string().min(1),
  dailyActiveUsers: z.number().int().positive(),
  daysPerMonth: z.number().positive().max(31).default(30),
  operationsPerUserPerDay: z.number().positive(),
  operationMix: z.strictObject(
    Object.fromEntries(OPERATIONS.map((o) => [o, share])) as Record<Operation, typeof share>,
  ),
  geographies: z.strictObject({ us: share, eu: share, asia: share }),
  /** Share of a geography's users served by its home region; the rest by the other. */
  homeRegionShare: share,
  operations: z.strictObject(
    Object.fromEntries(OPERATIONS.map((o) => [o, operationSpec])) as Record<
      Operation,
      typeof operationSpec
    >,
  ),
  api: z.strictObject({ cpu: z.number().positive().max(8), memoryMiB: z.number().int().min(128) }),
  cloudRun: z.strictObject({
    targetCpuUtilization: z.number().gt(0).max(1),
    minInstances: z.number().int().min(0),
  }),
  cache: z.strictObject({ hitRatio: share }),
  counters: z.strictObject({
    sharded: z.boolean(),
    /** Expected aborted transaction attempts per single-document increment under contention. */
    contentionRetries: count,
  }),
  events: z.partialRecord(
    z.enum(PIPELINE_NAMES),
    z.strictObject({ bytes: z.number().int().positive(), perOperation }),
  ),
  services: z.partialRecord(
    z.enum(SERVICE_NAMES),
    z.strictObject({ cpuMsPerRequest: count, requestsPerOperation: perOperation.default({}) }),
  ),
  firestore: z.strictObject({
    storedGibPerUser: count,
    /** Point-in-time recovery on: its data is taken as the size of the stored data. */
    pitr: z.boolean().default(false),
    /** Full backups kept at a time (a daily schedule kept 7 days keeps 7). */
    backupsRetained: z.number().int().min(0).max(100).default(0),
  }),
  bigquery: z.strictObject({
    rowBytes: z.number().int().positive(),
    activeMonths: z.number().positive(),
    /** TiB scanned by on-demand queries per month, per million daily users. */
    tibScannedPerMillionUsers: count,
  }),
  storage: z.strictObject({ storedGibPerUser: count }),
  redis: z.strictObject({
    tier: z.enum(["BASIC", "STANDARD_HA"]),
    memorySizeGbPerRegion: z.number().int().min(1).max(300),
  }),
  /** Metrics ingested per month per million daily users (custom and log-based metrics). */
  monitoring: z.strictObject({ mibPerMillionUsers: count }),
  pubsub: z
    .strictObject({
      /**
       * Messages per publish request. 1 is unbatched: every request pays Pub/Sub's 1,000-byte
       * minimum, whatever the message size.
       */
      messagesPerPublishRequest: z.number().int().min(1).max(1000),
    })
    .default({ messagesPerPublishRequest: 1 }),
  logging: z
    .strictObject({
      /** Data Access audit entries (DATA_READ, DATA_WRITE) per user operation. */
      auditEntriesPerOperation: count,
      /** Bytes of one audit log entry as ingested. */
      bytesPerAuditEntry: count,
      /** Bytes of the request log Cloud Run writes per request (API and services). */
      requestLogBytes: count,
      /** Days the audit entries are kept; beyond 30 days retention is billed per GiB-month. */
      auditRetentionDays: z.number().int().min(1).max(3650),
    })
    .default({
      auditEntriesPerOperation: 0,
      bytesPerAuditEntry: 0,
      requestLogBytes: 0,
      auditRetentionDays: 30,
    }),
  /**
   * Secret Manager and Cloud KMS operations of the deployed services. Absent: no such lines
   * (the traffic they follow from is not modelled).
   */
  secrets: z
    .strictObject({
      /**
       * Minutes of serving (busy instance time) per Cloud Run instance start: a service starts
       * an instance for every this many minutes it serves. Secrets passed as environment
       * variables are read at every start.
       */
      servingMinutesPerInstanceStart: z.number().positive(),
      /** Cloud KMS decrypt operations per access of a CMEK-protected secret version. */
      kmsDecryptsPerAccess: count,
    })
    .optional(),
  egress: z
    .strictObject({
      /** Bytes served to the internet per media read (`mediaReads`). */
      bytesPerMediaRead: count,
      /** Share of media bytes served from a CDN cache instead of the bucket. */
      cdnShare: share,
      /** Bytes of the API's response to the client per operation. */
      apiResponseBytes: count,
    })
    .default({ bytesPerMediaRead: 0, cdnShare: 0, apiResponseBytes: 0 }),
});

const usageSchema = modelShape.superRefine((u, ctx) => {
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  for (const key of ["operationMix", "geographies"] as const) {
    const total = sum(u[key]);
    if (Math.abs(total - 1) > 1e-9) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `shares add up to ${round(total)}, not 1`,
      });
    }
  }
  for (const op of OPERATIONS) {
    const spec = u.operations[op];
    if (spec.cacheableReads > spec.firestoreReads) {
      ctx.addIssue({
        code: "custom",
        path: ["operations", op, "cacheableReads"],
        message: `${spec.cacheableReads} is more than firestoreReads (${spec.firestoreReads})`,
      });
    }
  }
  for (const name of Object.keys(u.events)) {
    const consumer = PIPELINES.find((p) => p.name === name)?.consumer;
    if (consumer && !u.services[consumer]) {
      ctx.addIssue({
        code: "custom",
        path: ["services", consumer],
        message: `is missing: events.${name} are delivered to ${consumer}, which needs cpuMsPerRequest`,
      });
    }
  }
});

/** A validated usage model. */
export type UsageModel = z.infer<typeof usageSchema>;

/** Keys allowed in each map of the model, for error messages (`*` is any entry). */
const ALLOWED_KEYS: Readonly<Record<string, readonly string[]>> = {
  "": Object.keys(modelShape.shape),
  operationMix: OPERATIONS,
  operations: OPERATIONS,
  "operations.*": Object.keys(operationSpec.shape),
  "events.*.perOperation": OPERATIONS,
  "services.*.requestsPerOperation": OPERATIONS,
  events: PIPELINE_NAMES,
  services: SERVICE_NAMES,
  geographies: GEOGRAPHY_IDS,
};

/** A usage file that does not match the model; the message names the key. */
export class UsageModelError extends Error {
  constructor(
    readonly source: string,
    readonly key: string,
    detail: string,
  ) {
    super(`${source}: ${key || "(root)"}: ${detail}`);
    this.name = "UsageModelError";
  }
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function pattern(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) =>
      i > 0 && ["events", "services", "operations"].includes(String(path[i - 1])) ? "*" : String(p),
    )
    .join(".");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path)
    v = v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** Validates a parsed usage document; throws UsageModelError naming the first bad key. */
export function validateUsageModel(document: unknown, source = "usage model"): UsageModel {
  const parsed = usageSchema.safeParse(document);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const allowed = ALLOWED_KEYS[pattern(issue.path)] ?? [];
    const key = [...path, issue.keys[0]].join(".");
    throw new UsageModelError(source, key, `unknown key; allowed: ${allowed.join(", ")}`);
  }
  const value = valueAt(document, issue.path);
  const shown = value === undefined ? "is missing" : `${JSON.stringify(value)} is not allowed`;
  const detail =
    issue.code === "custom"
      ? issue.message
      : `${shown} (${issue.message.replace(/^Invalid input: /, "")})`;
  throw new UsageModelError(source, path.join("."), detail);
}

/** Parses and validates YAML text of a usage model. */
export function parseUsageModel(yamlText: string, source = "usage model"): UsageModel {
  let document: unknown;
  try {
    document = parse(yamlText);
  } catch (error) {
    throw new UsageModelError(
      source,
      "",
      `not valid YAML: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  return validateUsageModel(document, source);
}

/** Reads, parses and validates a usage file. */
export function loadUsageModel(path: string): UsageModel {
  return parseUsageModel(readFileSync(path, "utf8"), path);
}

/**
 * The naive variant of a model: no cache, single-document counters, one minimum instance per
 * service and region. Everything else is the same traffic.
 */
export function naiveVariant(model: UsageModel): UsageModel {
  return {
    ...model,
    name: `${model.name} (naive)`,
    cache: { hitRatio: 0 },
    counters: { ...model.counters, sharded: false },
    cloudRun: { ...model.cloudRun, minInstances: Math.max(1, model.cloudRun.minInstances) },
  };
}

/** The same model with daily active users multiplied by `factor`. */
export function scaleUsers(model: UsageModel, factor: number): UsageModel {
  return { ...model, dailyActiveUsers: Math.round(model.dailyActiveUsers * factor) };
}
