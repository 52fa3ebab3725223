import { GEOGRAPHIES, allowedLocations, type Geography } from "../../runtime/topology";
import { at, type Props, type RuleConfig } from "./define";

/**
 * Where a resource is and where it may be: the stack's geography (policy config, else the
 * resource's `geography` label) and every location-bearing input of a resource.
 */

/** The geography the resource belongs to, or undefined when neither config nor labels say. */
export function geographyOf(config: RuleConfig, props: Props): Geography | undefined {
  const id = config.geography ?? at(props, "labels.geography");
  return typeof id === "string" && id in GEOGRAPHIES
    ? GEOGRAPHIES[id as keyof typeof GEOGRAPHIES]
    : undefined;
}

const LOCATION_KEYS = new Set([
  "location",
  "region",
  "zone",
  "locationId",
  "alternativeLocationId",
  "allowedPersistenceRegions",
]);
/** Subtrees holding user data: a `region` label is an Avalo region id, not a GCP location. */
const OPAQUE_KEYS = /labels$|annotations$|attributes$|^envs?$/i;

/** A location input: its path in the inputs and its value. */
export interface LocationInput {
  readonly path: string;
  readonly value: string;
}

/** Every location-bearing input (`location`, `region`, `zone`, replicas' locations, ...). */
function locationInputs(props: Props): LocationInput[] {
  const out: LocationInput[] = [];
  const visit = (value: unknown, path: string, key: string) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}[${i}]`, key));
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (!OPAQUE_KEYS.test(k)) visit(v, path ? `${path}.${k}` : k, k);
      }
    } else if (LOCATION_KEYS.has(key) && typeof value === "string" && value !== "[unknown]") {
      out.push({ path, value });
    }
  };
  visit(props, "", "");
  return out;
}

/**
 * Multi-region location names (KMS, Cloud Storage) that lie wholly inside a geography; a CMEK key
 * for an `EU` dataset lives in KMS location `europe`.
 */
const MULTI_REGIONS: Readonly<Record<string, readonly string[]>> = {
  us: ["us"],
  eu: ["eu", "europe"],
  asia: ["asia"],
};

/**
 * Locations allowed outside every geography, by resource type: a `global` KMS key ring, for
 * Pub/Sub keys only (the data-residency rule checks the keys' purpose). Pub/Sub recommends a
 * global key for topics that persist messages in several regions
 * (cloud.google.com/pubsub/docs/cmek); a key ring holds key material, not messages, and message
 * storage stays inside the geography (pubsub-message-storage-residency).
 */
export const GLOBAL_LOCATION_EXEMPTIONS: Readonly<Record<string, readonly string[]>> = {
  "gcp:kms/keyRing:KeyRing": ["location"],
};

/**
 * Location inputs outside the geography (case-insensitive; zones of allowed regions pass). With
 * the resource `type`, a `global` location listed in {@link GLOBAL_LOCATION_EXEMPTIONS} passes.
 */
export function locationsOutside(
  props: Props,
  geography: Geography,
  type?: string,
): LocationInput[] {
  const allowed = new Set([
    ...allowedLocations(geography.id),
    ...(MULTI_REGIONS[geography.id] ?? []),
  ]);
  const globalPaths = (type && GLOBAL_LOCATION_EXEMPTIONS[type]) || [];
  return locationInputs(props).filter(
    (l) =>
      !allowed.has(l.value.toLowerCase()) &&
      !(l.value === "global" && globalPaths.includes(l.path)),
  );
}

/** The allowed locations of a geography, as listed in messages. */
export function allowedList(geography: Geography): string {
  return [
    ...geography.allowedGcpRegions,
    geography.firestoreLocation,
    geography.bigQueryLocation,
    ...(MULTI_REGIONS[geography.id] ?? []),
  ]
    .filter((v, i, all) => all.indexOf(v) === i)
    .join(", ");
}
