import { createHash } from "node:crypto";

/**
 * The one helper that builds physical GCP resource names. Every component names its children
 * through `gcpName`, so that names are lowercase, use only the characters GCP allows for that
 * kind, and stay within its length limit (a long name is shortened deterministically with a
 * hash suffix, so it stays unique and stable across runs).
 */
export interface NameRule {
  /** Maximum length GCP accepts. */
  readonly max: number;
  /** Minimum length GCP accepts. */
  readonly min: number;
  /** Pattern the full name must match. */
  readonly pattern: RegExp;
  /** Separator between parts ("-" for most kinds, "_" for BigQuery). */
  readonly separator: "-" | "_";
}

const dashed = (min: number, max: number): NameRule => ({
  min,
  max,
  pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
  separator: "-",
});

/** GCP's naming rules per kind of resource, as documented for each API. */
export const NAME_RULES = {
  /** Service account id (the part before `@`): 6–30 characters. */
  serviceAccount: dashed(6, 30),
  /** Cloud Run service: up to 49 characters. */
  cloudRunService: dashed(1, 49),
  /** Pub/Sub topic or subscription id: 3–255 characters, starting with a letter. */
  pubsub: { min: 3, max: 255, pattern: /^[a-zA-Z][-a-zA-Z0-9_.~+%]*$/, separator: "-" },
  /** Memorystore for Redis instance id: 1–40 characters. */
  redisInstance: dashed(1, 40),
  /** VPC network or subnetwork, global address, firewall: 1–63 characters. */
  compute: dashed(1, 63),
  /** KMS key ring or crypto key: 1–63 characters of letters, digits, `-` and `_`. */
  kms: { min: 1, max: 63, pattern: /^[a-zA-Z0-9_-]+$/, separator: "-" },
  /** Secret Manager secret id: 1–255 characters of letters, digits, `-` and `_`. */
  secret: { min: 1, max: 255, pattern: /^[a-zA-Z0-9_-]+$/, separator: "-" },
  /** Cloud Storage bucket: 3–63 characters. */
  bucket: { min: 3, max: 63, pattern: /^[a-z0-9][-a-z0-9_.]*[a-z0-9]$/, separator: "-" },
  /** BigQuery dataset or table id: letters, digits and underscores, up to 1024. */
  bigquery: { min: 1, max: 1024, pattern: /^[a-zA-Z0-9_]+$/, separator: "_" },
  /** Artifact Registry repository id: 1–63 lower-case letters, digits and dashes. */
  artifactRepository: dashed(1, 63),
  /** Logging sink, monitoring and other names: up to 100 characters. */
  generic: dashed(1, 100),
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

const HASH_LENGTH = 6;

/**
 * Builds a GCP-valid name of the given kind from its parts, e.g.
 * `gcpName("serviceAccount", "avalo", "notification-worker", "us-east")`.
 * Throws if the result still breaks the kind's pattern (a part with forbidden characters).
 */
export function gcpName(kind: NameKind, ...parts: readonly string[]): string {
  const rule: NameRule = NAME_RULES[kind];
  const joined = parts
    .filter((p) => p.length > 0)
    .join(rule.separator)
    .toLowerCase()
    .replace(rule.separator === "_" ? /-/g : /_/g, rule.separator === "_" ? "_" : "-");
  const name = joined.length <= rule.max ? joined : shorten(joined, rule);
  if (name.length < rule.min || !rule.pattern.test(name)) {
    throw new Error(
      `resource name "${name}" (from parts ${JSON.stringify(parts)}) is not a valid ${kind} name: ` +
        `it must be ${rule.min}–${rule.max} characters matching ${rule.pattern}`,
    );
  }
  return name;
}

function shorten(name: string, rule: NameRule): string {
  const hash = createHash("sha256").update(name).digest("hex").slice(0, HASH_LENGTH);
  const keep = name.slice(0, rule.max - HASH_LENGTH - 1).replace(/[-_]+$/, "");
  return `${keep}${rule.separator}${hash}`;
}

/** Whether a name satisfies the rule of its kind; used by the offline constraint checks. */
export function isValidName(kind: NameKind, name: string): boolean {
  const rule: NameRule = NAME_RULES[kind];
  return name.length >= rule.min && name.length <= rule.max && rule.pattern.test(name);
}
