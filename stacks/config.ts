import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { z } from "zod";
import { APP_CHECK_ENFORCEMENT, type ClientApps } from "../components/app-check";
import { ENVIRONMENTS } from "../components/context";
import { CORS_ORIGIN } from "../components/media-bucket";
import type { GeographySettings } from "../components/geography";
import { REDIS } from "../components/defaults";
import {
  LOAD_GENERATOR,
  type ResolvedLoadSettings,
  resolveLoadSettings,
} from "../components/load-generator";
import {
  CLOUD_RUN_LIMITS,
  DELETION_PROTECTION,
  MEMORYSTORE_LIMITS,
  PROJECT_ID,
} from "../runtime/catalog/limits";
import { SERVICES } from "../runtime/catalog/services";
import { REGIONS, STACK_NAMES, geographyForStack, type RegionId } from "../runtime/topology";

/**
 * The stack's configuration, read from `Pulumi.<stack>.yaml` (namespaces `avalo` and `gcp`) and
 * the stack name, validated before any resource is registered.
 */
export interface StackConfig extends GeographySettings {
  /** Stack name (one per geography, named after its home region). */
  readonly stack: string;
  /** Monthly budget in US dollars, read by the cost policy. */
  readonly budgetMonthlyUsd?: number;
  /** The load-generator job's settings; present only when enabled (staging stacks only). */
  readonly loadGenerator?: ResolvedLoadSettings;
}

/** A config value that is missing, malformed or outside what the platform allows. */
export class StackConfigError extends Error {
  /**
   * @param key full config key, with a path into maps (`avalo:regions.us-east`), or `stack`
   * @param value the value found (undefined when the key is not set)
   * @param allowed what the key accepts, in words
   * @param reason why the value is rejected (`is out of range`, ...)
   */
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly allowed: string,
    reason: string,
  ) {
    super(
      value === undefined
        ? `${key} is not set; allowed: ${allowed}`
        : `${key}: ${JSON.stringify(value)} ${reason}; allowed: ${allowed}`,
    );
    this.name = "StackConfigError";
  }

  /** Every bad key and value of the stack; the error itself when it is the only one. */
  issues: readonly StackConfigError[] = [this];

  /** One error for several: the first's key and value, a message listing every one. */
  static all(issues: readonly StackConfigError[]): StackConfigError {
    if (issues.length === 1) return issues[0];
    const first = issues[0];
    const err = new StackConfigError(first.key, first.value, first.allowed, "");
    err.message = `${issues.length} config errors:\n${issues.map((i) => `  ${i.message}`).join("\n")}`;
    err.issues = issues;
    return err;
  }
}

const SERVICE_NAMES: readonly string[] = SERVICES.map((s) => s.name);

const EXPECTED: Record<string, string> = {
  int: "is not an integer",
  number: "is not a number",
  boolean: "is not a boolean",
  string: "is not a string",
  record: "is not a map",
  array: "is not a list",
};

/** A key's schema, what it allows in words, and the reason given for a malformed value. */
interface Rule<T> {
  readonly schema: z.ZodType<T>;
  readonly allowed: string;
  readonly invalid?: string;
}

const range = (min: number, max: number, unit: string): Rule<number> => ({
  schema: z.number().int().min(min).max(max),
  allowed: `an integer from ${min} to ${max} (${unit})`,
});

const RULES = {
  project: {
    schema: z.string().regex(PROJECT_ID.pattern),
    allowed: PROJECT_ID.rule,
    invalid: "is not a valid GCP project id",
  },
  environment: {
    schema: z.enum(ENVIRONMENTS),
    allowed: ENVIRONMENTS.join(", "),
    invalid: "is not an environment",
  },
  alertEmail: {
    schema: z.email(),
    allowed: "an email address such as oncall@example.com",
    invalid: "is not an email address",
  },
  redisMemorySizeGb: range(
    MEMORYSTORE_LIMITS.memorySizeGb.min,
    MEMORYSTORE_LIMITS.memorySizeGb.max,
    "GB",
  ),
  maxInstances: range(
    CLOUD_RUN_LIMITS.maxInstances.min,
    CLOUD_RUN_LIMITS.maxInstances.max,
    "instances per region",
  ),
  rollout: range(
    CLOUD_RUN_LIMITS.rolloutPercent.min,
    CLOUD_RUN_LIMITS.rolloutPercent.max,
    "percent of traffic",
  ),
  deletionProtection: { schema: z.boolean(), allowed: "true, false" },
  budgetMonthlyUsd: {
    schema: z.number().positive(),
    allowed: "a positive number of US dollars",
    invalid: "is out of range",
  },
  map: { schema: z.record(z.string(), z.unknown()), allowed: "a map" },
  allowDestroy: {
    schema: z.array(z.string().min(1)),
    allowed: "a list of URNs or names of stateful resources a change may replace or delete",
    invalid: "is not a list of names",
  },
  usageModel: {
    schema: z.string().min(1),
    allowed: "the path of a usage file relative to the project, e.g. usage/1m.yaml",
    invalid: "is not a path",
  },
} satisfies Record<string, Rule<unknown>>;

const LOAD_KEY = "avalo:loadGenerator";
const LOAD_LIMITS = LOAD_GENERATOR.limits;

/** The keys of `avalo:loadGenerator` and their rules (`parallelism` is checked against `tasks`). */
const LOAD_RULES = {
  enabled: RULES.deletionProtection,
  targetUrl: {
    schema: z.string().regex(LOAD_GENERATOR.targetUrl.pattern),
    allowed: LOAD_GENERATOR.targetUrl.rule,
    invalid: "is not an https URL",
  },
  tasks: range(LOAD_LIMITS.tasks.min, LOAD_LIMITS.tasks.max, "tasks"),
  parallelism: range(1, LOAD_LIMITS.tasks.max, "tasks running at once, at most tasks"),
  usersPerTask: range(LOAD_LIMITS.usersPerTask.min, LOAD_LIMITS.usersPerTask.max, "users"),
  ratePerSecond: range(
    LOAD_LIMITS.ratePerSecond.min,
    LOAD_LIMITS.ratePerSecond.max,
    "operations per second",
  ),
  durationSeconds: range(
    LOAD_LIMITS.durationSeconds.min,
    LOAD_LIMITS.durationSeconds.max,
    "seconds",
  ),
  cpu: {
    schema: z.number().refine((v) => (LOAD_LIMITS.cpus as readonly number[]).includes(v)),
    allowed: LOAD_LIMITS.cpus.join(", "),
    invalid: "is not a Cloud Run CPU count",
  },
  memoryMiB: range(LOAD_LIMITS.memoryMiB.min, LOAD_LIMITS.memoryMiB.max, "MiB"),
  invokes: {
    schema: z.array(z.enum(SERVICE_NAMES as [string, ...string[]])),
    allowed: `a list of services: ${SERVICE_NAMES.join(", ")}`,
    invalid: "names a service that does not exist",
  },
} satisfies Record<string, Rule<unknown>>;

const CLIENT_APPS_KEY = "avalo:clientApps";

/** The keys of `avalo:clientApps` and their rules; the first three are required. */
const CLIENT_APP_RULES = {
  androidPackage: {
    schema: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+$/),
    allowed: "an Android application id such as app.avalo.android",
    invalid: "is not an Android application id",
  },
  iosBundleId: {
    schema: z.string().regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/),
    allowed: "an iOS bundle id such as app.avalo.ios",
    invalid: "is not an iOS bundle id",
  },
  webOrigin: {
    schema: z.string().regex(/^https:\/\/[a-z0-9-]+(\.[a-z0-9-]+)+$/),
    allowed: "an https origin without path or port, such as https://app.avalo.example",
    invalid: "is not an https origin",
  },
  androidSha256: {
    schema: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
    allowed: "a list of SHA-256 certificate fingerprints, 64 lowercase hex digits each",
    invalid: "is not a list of SHA-256 fingerprints",
  },
  iosTeamId: {
    schema: z.string().regex(/^[A-Z0-9]{10}$/),
    allowed: "an Apple Developer Team ID (10 uppercase letters or digits)",
    invalid: "is not an Apple Team ID",
  },
} satisfies Record<string, Rule<unknown>>;
const CLIENT_APPS_REQUIRED = ["androidPackage", "iosBundleId", "webOrigin"] as const;

const CLIENT_EDGE_RULES = {
  appCheckEnforcement: {
    schema: z.enum(APP_CHECK_ENFORCEMENT),
    allowed: APP_CHECK_ENFORCEMENT.join(", "),
    invalid: "is not an App Check mode",
  },
  corsOrigin: {
    schema: z.string().regex(CORS_ORIGIN.pattern),
    allowed: CORS_ORIGIN.rule,
    invalid: "is not an origin",
  },
  corsOrigins: {
    schema: z.array(z.unknown()),
    allowed: "a list of origins such as [https://app.avalo.example]",
  },
} satisfies Record<string, Rule<unknown>>;

/**
 * Every key of the `avalo:` namespace and the shape of its value: the one list of known keys. A
 * key in `Pulumi.<stack>.yaml` that is not here is rejected (with the closest known key), and
 * {@link loadStackConfig} can read only keys declared here. Values are checked in detail, with
 * their own messages, where they are read.
 */
export const AVALO_CONFIG = z.object({
  environment: RULES.environment.schema,
  alertEmail: RULES.alertEmail.schema,
  regions: RULES.map.schema,
  redisMemorySizeGb: RULES.redisMemorySizeGb.schema,
  maxInstances: RULES.map.schema,
  deletionProtection: RULES.deletionProtection.schema,
  rollout: RULES.map.schema,
  budgetMonthlyUsd: RULES.budgetMonthlyUsd.schema,
  loadGenerator: RULES.map.schema,
  /** Read by `avalo preview` and `avalo cost` (cli/preview/usage-model.ts). */
  usageModel: RULES.usageModel.schema,
  /** Read by the stateful-destroy policy (policies/rules/stateful.ts). */
  allowDestroy: RULES.allowDestroy.schema,
  clientApps: RULES.map.schema,
  appCheckEnforcement: CLIENT_EDGE_RULES.appCheckEnforcement.schema,
  corsOrigins: CLIENT_EDGE_RULES.corsOrigins.schema,
});

/** A key of the `avalo:` namespace. */
export type AvaloConfigKey = keyof typeof AVALO_CONFIG.shape;

/** The known keys, `avalo:`-prefixed. */
export const AVALO_CONFIG_KEYS: readonly string[] = Object.keys(AVALO_CONFIG.shape).map(
  (k) => `avalo:${k}`,
);

/** Edit distance (insert, delete, substitute one character) between two strings. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/**
 * The known key closest to `key` (case-insensitive), when one is close enough to be a typo.
 * @internal
 */
export function closestKey(
  key: string,
  known: readonly string[] = AVALO_CONFIG_KEYS,
): string | undefined {
  const scored = known
    .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k));
  const best = scored[0];
  return best && best.d <= Math.max(2, Math.floor(key.length / 4)) ? best.k : undefined;
}

/** The `avalo:` keys of the stack's config that the program does not know. */
function unknownKeys(config: Readonly<Record<string, string>>): StackConfigError[] {
  return Object.keys(config)
    .filter((k) => k.startsWith("avalo:") && !AVALO_CONFIG_KEYS.includes(k))
    .sort()
    .map((key) => {
      const near = closestKey(key);
      return new StackConfigError(
        key,
        decode(config[key]),
        `the keys of avalo: ${AVALO_CONFIG_KEYS.join(", ")}`,
        `is not a config key of this project${near ? ` (did you mean \`${near}\`?)` : ""}`,
      );
    });
}

/** Validates `value` against `rule`, or throws a StackConfigError naming `key`. */
function check<T>(key: string, value: unknown, rule: Rule<T>): T {
  const parsed = rule.schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const reason =
    issue.code === "too_small" || issue.code === "too_big"
      ? "is out of range"
      : issue.code === "invalid_type"
        ? (EXPECTED[issue.expected] ?? `is not a ${issue.expected}`)
        : (rule.invalid ?? "is not allowed");
  throw new StackConfigError(key, value, rule.allowed, reason);
}

/** Config values arrive as strings; numbers, booleans and maps are JSON in them. */
function decode(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function required(key: string, raw: string | undefined, allowed: string): string {
  if (raw === undefined || raw === "") throw new StackConfigError(key, undefined, allowed, "");
  return raw;
}

/** Reads an optional map whose keys must be among `keys`; values are checked by `rule`. */
function checkMap<T>(
  key: string,
  raw: string | undefined,
  keys: readonly string[],
  keyReason: string,
  rule: Rule<T>,
): Record<string, T> {
  if (raw === undefined) return {};
  const map = check(key, decode(raw), {
    ...RULES.map,
    allowed: `a map of ${keys.join(", ")} to ${rule.allowed}`,
  });
  const out: Record<string, T> = {};
  const bad: StackConfigError[] = [];
  for (const [k, v] of Object.entries(map).sort(([a], [b]) => a.localeCompare(b))) {
    try {
      if (!keys.includes(k))
        throw new StackConfigError(`${key}.${k}`, k, keys.join(", "), keyReason);
      out[k] = check(`${key}.${k}`, v, rule);
    } catch (err) {
      if (!(err instanceof StackConfigError)) throw err;
      bad.push(err);
    }
  }
  if (bad.length > 0) throw StackConfigError.all(bad);
  return out;
}

/**
 * Reads `avalo:loadGenerator`: every key is checked, and `enabled: true` is refused unless the
 * stack's environment is staging. Returns the settings with their defaults when enabled.
 */
function loadGeneratorConfig(
  raw: string | undefined,
  environment: string,
): ResolvedLoadSettings | undefined {
  if (raw === undefined) return undefined;
  const keys = Object.keys(LOAD_RULES);
  const map = check(LOAD_KEY, decode(raw), {
    ...RULES.map,
    allowed: `a map of ${keys.join(", ")}`,
  });
  const values: Record<string, unknown> = {};
  const bad: StackConfigError[] = [];
  const collect = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof StackConfigError)) throw err;
      bad.push(err);
    }
  };
  for (const [k, v] of Object.entries(map)) {
    collect(() => {
      if (!keys.includes(k)) {
        throw new StackConfigError(
          `${LOAD_KEY}.${k}`,
          k,
          keys.join(", "),
          `is not a key of ${LOAD_KEY}`,
        );
      }
      values[k] = check<unknown>(`${LOAD_KEY}.${k}`, v, LOAD_RULES[k as keyof typeof LOAD_RULES]);
    });
  }
  const enabled = values.enabled === true;
  if (enabled && environment !== "staging") {
    bad.push(
      new StackConfigError(
        `${LOAD_KEY}.enabled`,
        true,
        "false, or true on a stack whose avalo:environment is staging",
        `is allowed only when avalo:environment is staging, but it is ${environment}`,
      ),
    );
  }
  const tasks = (values.tasks as number | undefined) ?? LOAD_GENERATOR.defaults.tasks;
  const parallelism = values.parallelism as number | undefined;
  if (parallelism !== undefined && parallelism > tasks) {
    bad.push(
      new StackConfigError(
        `${LOAD_KEY}.parallelism`,
        parallelism,
        `an integer from 1 to ${tasks} (${LOAD_KEY}.tasks)`,
        "is more than the tasks of an execution",
      ),
    );
  }
  if (bad.length > 0) throw StackConfigError.all(bad);
  if (!enabled) return undefined;
  const { enabled: _enabled, ...settings } = values;
  return resolveLoadSettings(settings);
}

/** `avalo:` config reads limited to the keys of {@link AVALO_CONFIG}. */
class AvaloConfig {
  private readonly config = new pulumi.Config("avalo");

  get(key: AvaloConfigKey): string | undefined {
    return this.config.get(key);
  }
}

/** Reads `avalo:clientApps`: every key checked, the three app ids required. */
function clientAppsConfig(raw: string | undefined): ClientApps | undefined {
  if (raw === undefined) return undefined;
  const keys = Object.keys(CLIENT_APP_RULES);
  const map = check(CLIENT_APPS_KEY, decode(raw), {
    ...RULES.map,
    allowed: `a map of ${keys.join(", ")}`,
  });
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) {
    if (!keys.includes(k)) {
      throw new StackConfigError(
        `${CLIENT_APPS_KEY}.${k}`,
        k,
        keys.join(", "),
        `is not a key of ${CLIENT_APPS_KEY}`,
      );
    }
    values[k] = check<unknown>(
      `${CLIENT_APPS_KEY}.${k}`,
      v,
      CLIENT_APP_RULES[k as keyof typeof CLIENT_APP_RULES],
    );
  }
  for (const k of CLIENT_APPS_REQUIRED) {
    if (values[k] === undefined) {
      throw new StackConfigError(
        `${CLIENT_APPS_KEY}.${k}`,
        undefined,
        CLIENT_APP_RULES[k].allowed,
        "",
      );
    }
  }
  return values as unknown as ClientApps;
}

/** Reads `avalo:corsOrigins`: a list whose every entry is an origin or `*`. */
function corsOriginsConfig(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const list = check("avalo:corsOrigins", decode(raw), CLIENT_EDGE_RULES.corsOrigins);
  return list.map((origin, i) =>
    check(`avalo:corsOrigins[${i}]`, origin, CLIENT_EDGE_RULES.corsOrigin),
  );
}

/**
 * Reads and validates the stack's config: `gcp:project`, the `avalo:*` keys and the stack name.
 * Throws one {@link StackConfigError} naming every bad key and value (unknown `avalo:` keys
 * first, each with the closest known key), before any resource exists.
 */
export function loadStackConfig(): StackConfig {
  const stack = pulumi.getStack();
  const geography = geographyForStack(stack);
  if (!geography) {
    throw new StackConfigError(
      "stack",
      stack,
      STACK_NAMES.join(", "),
      "is not a stack of this project",
    );
  }
  const gcp = new pulumi.Config("gcp");
  const avalo = new AvaloConfig();
  const issues: StackConfigError[] = unknownKeys(pulumi.runtime.allConfig());
  /** Runs one key's check; a bad value is collected and `fallback` returned. */
  const read = <T>(fallback: T, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof StackConfigError)) throw err;
      issues.push(...err.issues);
      return fallback;
    }
  };

  const project = read("", () =>
    check(
      "gcp:project",
      required("gcp:project", gcp.get("project"), RULES.project.allowed),
      RULES.project,
    ),
  );
  const environment = read(undefined, () =>
    check(
      "avalo:environment",
      required("avalo:environment", avalo.get("environment"), RULES.environment.allowed),
      RULES.environment,
    ),
  );

  const overrides = read({}, () =>
    checkMap(
      "avalo:regions",
      avalo.get("regions"),
      geography.regions,
      `is not a region of geography ${geography.id}`,
      {
        schema: z.enum(geography.allowedGcpRegions as [string, ...string[]]),
        allowed: geography.allowedGcpRegions.join(", "),
        invalid: `is not allowed for geography ${geography.id}`,
      },
    ),
  );
  const regions = geography.regions.map((id: RegionId) => ({
    id,
    gcpRegion: (overrides as Record<string, string>)[id] ?? REGIONS[id].gcpRegion,
  }));
  const seen = new Map<string, RegionId>();
  for (const region of regions) {
    const other = seen.get(region.gcpRegion);
    if (other) {
      issues.push(
        new StackConfigError(
          `avalo:regions.${region.id}`,
          region.gcpRegion,
          `a GCP region not used by another region of geography ${geography.id}`,
          `is already used by ${other}`,
        ),
      );
    }
    seen.set(region.gcpRegion, region.id);
  }

  const alertEmail = read("", () =>
    check(
      "avalo:alertEmail",
      required("avalo:alertEmail", avalo.get("alertEmail"), RULES.alertEmail.allowed),
      RULES.alertEmail,
    ),
  );
  const redisRaw = avalo.get("redisMemorySizeGb");
  const redisMemorySizeGb = read(REDIS.memorySizeGb, () =>
    redisRaw === undefined
      ? REDIS.memorySizeGb
      : check("avalo:redisMemorySizeGb", decode(redisRaw), RULES.redisMemorySizeGb),
  );
  const maxInstances = read({}, () =>
    checkMap(
      "avalo:maxInstances",
      avalo.get("maxInstances"),
      SERVICE_NAMES,
      "is not a service",
      RULES.maxInstances,
    ),
  );
  const protectionRaw = avalo.get("deletionProtection");
  const deletionProtection = read(true, () =>
    protectionRaw === undefined
      ? environment !== undefined && DELETION_PROTECTION[environment]
      : check("avalo:deletionProtection", decode(protectionRaw), RULES.deletionProtection),
  );
  const rollout = read({}, () =>
    checkMap(
      "avalo:rollout",
      avalo.get("rollout"),
      SERVICE_NAMES,
      "is not a service",
      RULES.rollout,
    ),
  );
  const budgetRaw = avalo.get("budgetMonthlyUsd");
  const budgetMonthlyUsd = read(undefined, () =>
    budgetRaw === undefined
      ? undefined
      : check("avalo:budgetMonthlyUsd", decode(budgetRaw), RULES.budgetMonthlyUsd),
  );
  const allowDestroyRaw = avalo.get("allowDestroy");
  read(undefined, () =>
    allowDestroyRaw === undefined
      ? undefined
      : check("avalo:allowDestroy", decode(allowDestroyRaw), RULES.allowDestroy),
  );
  const usageRaw = avalo.get("usageModel");
  read(undefined, () =>
    usageRaw === undefined ? undefined : check("avalo:usageModel", usageRaw, RULES.usageModel),
  );

  const loadGenerator =
    environment === undefined
      ? undefined
      : read(undefined, () => loadGeneratorConfig(avalo.get("loadGenerator"), environment));
  const clientApps = read(undefined, () => clientAppsConfig(avalo.get("clientApps")));
  const enforcementRaw = avalo.get("appCheckEnforcement");
  const appCheckEnforcement = read(environment === "prod" ? "enforced" : "unenforced", () =>
    enforcementRaw === undefined
      ? environment === "prod"
        ? "enforced"
        : "unenforced"
      : check("avalo:appCheckEnforcement", enforcementRaw, CLIENT_EDGE_RULES.appCheckEnforcement),
  );
  const corsOrigins = read([], () => corsOriginsConfig(avalo.get("corsOrigins")));

  if (issues.length > 0 || environment === undefined) throw StackConfigError.all(issues);
  return {
    stack,
    project,
    geography,
    environment,
    regions,
    alertEmail,
    redisMemorySizeGb,
    maxInstances,
    deletionProtection,
    rollout,
    ...(clientApps === undefined ? {} : { clientApps }),
    appCheckEnforcement,
    corsOrigins,
    ...(budgetMonthlyUsd === undefined ? {} : { budgetMonthlyUsd }),
    ...(loadGenerator === undefined ? {} : { loadGenerator }),
  };
}

/**
 * The `config:` map of `Pulumi.<stack>.yaml` in `dir`, keyed `namespace:key` as Pulumi reads it
 * (maps and numbers keep their YAML types; the mock runtime JSON-encodes them).
 */
export function readStackFile(stack: string, dir: string = process.cwd()): Record<string, unknown> {
  const file = join(dir, `Pulumi.${stack}.yaml`);
  const doc = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  return { ...(doc?.config ?? {}) };
}
