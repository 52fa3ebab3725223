import { createHash } from "node:crypto";
import { NAME_RULES, type NameKind, type NameRule } from "../runtime/catalog/limits";

export { NAME_RULES, type NameKind, type NameRule } from "../runtime/catalog/limits";

/**
 * The one helper that builds physical GCP resource names. Every component names its children
 * through `gcpName`, so that names are lowercase, use only the characters GCP allows for that
 * kind, and stay within its length limit (a long name is shortened deterministically with a
 * hash suffix, so it stays unique and stable across runs). The rules per kind are `NAME_RULES`
 * in runtime/catalog/limits.ts.
 */

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
