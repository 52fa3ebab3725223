import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GEOGRAPHY_IDS, type GeographyId } from "../topology";

/**
 * The Firestore security rules as released: the repository's `firestore.rules` with its
 * geography placeholder filled in, so that each geography's database admits only users whose
 * `geo` claim names it.
 */

/** Absolute path of the rules source at the repository root. */
export const FIRESTORE_RULES_PATH = join(__dirname, "..", "..", "firestore.rules");

/** The placeholder in `homeGeography()` that {@link renderFirestoreRules} replaces. */
export const GEOGRAPHY_PLACEHOLDER = "{{GEOGRAPHY}}";

/** The rules source as committed (with the placeholder). */
export function readFirestoreRulesSource(path: string = FIRESTORE_RULES_PATH): string {
  return readFileSync(path, "utf8");
}

/**
 * The rules for one geography's database. Throws if the geography is unknown or the source does
 * not carry the placeholder exactly once (a rules file that forgot it would admit every
 * geography or none).
 */
export function renderFirestoreRules(source: string, geography: string): string {
  if (!(GEOGRAPHY_IDS as readonly string[]).includes(geography)) {
    throw new RangeError(
      `\`geography\` must be one of ${GEOGRAPHY_IDS.join(", ")}, but "${geography}" was provided`,
    );
  }
  const occurrences = source.split(GEOGRAPHY_PLACEHOLDER).length - 1;
  if (occurrences !== 1) {
    throw new Error(
      `the rules source must contain the placeholder ${GEOGRAPHY_PLACEHOLDER} exactly once, but it contains it ${occurrences} times`,
    );
  }
  return source.replace(GEOGRAPHY_PLACEHOLDER, geography);
}

/** The released rules of `geography`, read from {@link FIRESTORE_RULES_PATH}. */
export function firestoreRulesFor(geography: GeographyId, path?: string): string {
  return renderFirestoreRules(readFirestoreRulesSource(path), geography);
}

/** Hex SHA-256 of the rules content, shown in the plan so a rules change shows in the diff. */
export function rulesContentHash(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}
