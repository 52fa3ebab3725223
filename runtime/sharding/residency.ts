import { REGIONS, type RegionId } from "../topology";
import { DEFAULT_SHARD_CONFIG, type ShardConfig } from "./config";
import { getUserShardId } from "./shards";

/**
 * Data residency routing: a user's residency country (ISO 3166-1 alpha-2) decides the region,
 * and so the geography, that holds their data. Countries not listed are rejected; there is no
 * silent default region.
 */

/** The 27 EU member states; their residents always stay in an EU region. */
export const EU_MEMBER_STATES = [
  "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
  "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
] as const; // prettier-ignore

/** US states served from us-west; every other state goes to us-east. */
const US_WEST_STATES = new Set([
  "AK", "AZ", "CA", "CO", "HI", "ID", "MT", "NV", "NM", "OR", "UT", "WA", "WY",
]); // prettier-ignore

/** Home region of every supported residency country. */
export const RESIDENCY_REGIONS: Readonly<Record<string, RegionId>> = {
  // Europe: western seaboard to eu-west (Belgium), the rest to eu-central (Frankfurt).
  ...Object.fromEntries(
    ["BE", "ES", "FR", "GB", "IE", "IS", "LU", "MC", "MT", "NL", "PT"].map((c) => [c, "eu-west"]),
  ),
  ...Object.fromEntries(
    [
      "AT", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "FI", "GR", "HR", "HU", "IT", "LI",
      "LT", "LV", "NO", "PL", "RO", "SE", "SI", "SK",
    ].map((c) => [c, "eu-central"]), // prettier-ignore
  ),
  // Americas.
  ...Object.fromEntries(["US", "CA", "BR", "AR", "CO", "CL", "PE"].map((c) => [c, "us-east"])),
  ...Object.fromEntries(["MX"].map((c) => [c, "us-west"])),
  // Asia-Pacific.
  ...Object.fromEntries(["IN", "PK", "BD", "LK", "NP", "AE", "SA"].map((c) => [c, "asia-south"])),
  ...Object.fromEntries(
    ["JP", "KR", "TW", "HK", "SG", "AU", "NZ", "PH", "TH", "VN", "ID", "MY"].map((c) => [
      c,
      "asia-east",
    ]),
  ),
};

export interface ResidentUser {
  readonly id: string;
  /** ISO 3166-1 alpha-2 country of residency, e.g. `DE`. */
  readonly residencyCountry: string;
  /** ISO 3166-2 subdivision without the country prefix (US state, e.g. `CA`); optional. */
  readonly residencySubdivision?: string;
}

export interface RegionalShard {
  readonly region: RegionId;
  /** The user's shard inside that region's Firestore database. */
  readonly shardId: string;
}

/** The region a country's residents live in; throws for a country Avalo does not serve. */
export function residencyRegion(country: string, subdivision?: string): RegionId {
  const code = typeof country === "string" ? country.trim().toUpperCase() : "";
  const region = RESIDENCY_REGIONS[code];
  if (!region) {
    throw new RangeError(
      `\`residencyCountry\` ${JSON.stringify(country)} is not a supported ISO 3166-1 alpha-2 country; supported: ${Object.keys(RESIDENCY_REGIONS).sort().join(", ")}`,
    );
  }
  if (code === "US" && subdivision && US_WEST_STATES.has(subdivision.trim().toUpperCase())) {
    return "us-west";
  }
  return region;
}

/** Routes a user to their residency region and their user shard there. */
export function getRegionalShard(
  user: ResidentUser,
  config: ShardConfig = DEFAULT_SHARD_CONFIG,
): RegionalShard {
  const region = residencyRegion(user.residencyCountry, user.residencySubdivision);
  if (!REGIONS[region]) throw new Error(`residency table names unknown region ${region}`);
  return { region, shardId: getUserShardId(user.id, config) };
}
