/**
 * Avalo's region topology: six regions grouped into three geographies for data residency.
 * This is the single source of truth read by the Pulumi components, the handlers, the local
 * platform and the policies. Plain data, no Pulumi.
 */

/** Avalo's own region names. */
export const REGION_IDS = [
  "us-east",
  "us-west",
  "eu-west",
  "eu-central",
  "asia-south",
  "asia-east",
] as const;
export type RegionId = (typeof REGION_IDS)[number];

/** Geographies: the unit of data residency and of one Pulumi stack. */
export const GEOGRAPHY_IDS = ["us", "eu", "asia"] as const;

/** Deployment environments; drive deletion protection and sizing. */
export const ENVIRONMENTS = ["prod", "staging", "dev"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export type GeographyId = (typeof GEOGRAPHY_IDS)[number];

export interface Region {
  readonly id: RegionId;
  readonly geography: GeographyId;
  /** Default GCP region; stack config may override it within the geography. */
  readonly gcpRegion: string;
  /** Default zone for zonal resources (e.g. the primary Memorystore node). */
  readonly zones: readonly string[];
}

export interface Geography {
  readonly id: GeographyId;
  /** Stack name, named after the home region. */
  readonly stack: RegionId;
  /** Default GCP project id. */
  readonly projectId: string;
  /** Regions of the geography, home first. */
  readonly regions: readonly RegionId[];
  /** Firestore database location (multi-region where one exists). */
  readonly firestoreLocation: string;
  /** BigQuery dataset location. */
  readonly bigQueryLocation: string;
  /**
   * Cloud KMS location of the key ring for the geography's multi-region data (BigQuery dataset,
   * Firestore database, Pub/Sub topics). Cloud KMS spells the multi-regions its own way: BigQuery
   * "US" and Firestore "nam5" take keys in "us", "EU" and "eur3" in "europe".
   */
  readonly kmsMultiRegion: string;
  /**
   * Every GCP region in which data of this geography may be stored or processed. Region
   * overrides in stack config must stay within this list.
   */
  readonly allowedGcpRegions: readonly string[];
}

export const REGIONS: Readonly<Record<RegionId, Region>> = {
  "us-east": {
    id: "us-east",
    geography: "us",
    gcpRegion: "us-east1",
    zones: ["us-east1-b", "us-east1-c"],
  },
  "us-west": {
    id: "us-west",
    geography: "us",
    gcpRegion: "us-west1",
    zones: ["us-west1-a", "us-west1-b"],
  },
  "eu-west": {
    id: "eu-west",
    geography: "eu",
    gcpRegion: "europe-west1",
    zones: ["europe-west1-b", "europe-west1-c"],
  },
  "eu-central": {
    id: "eu-central",
    geography: "eu",
    gcpRegion: "europe-west3",
    zones: ["europe-west3-a", "europe-west3-b"],
  },
  "asia-south": {
    id: "asia-south",
    geography: "asia",
    gcpRegion: "asia-south1",
    zones: ["asia-south1-a", "asia-south1-b"],
  },
  "asia-east": {
    id: "asia-east",
    geography: "asia",
    gcpRegion: "asia-east1",
    zones: ["asia-east1-a", "asia-east1-b"],
  },
};

export const GEOGRAPHIES: Readonly<Record<GeographyId, Geography>> = {
  us: {
    id: "us",
    stack: "us-east",
    projectId: "avalo-us",
    regions: ["us-east", "us-west"],
    firestoreLocation: "nam5",
    bigQueryLocation: "US",
    kmsMultiRegion: "us",
    allowedGcpRegions: [
      "us-central1",
      "us-east1",
      "us-east4",
      "us-east5",
      "us-south1",
      "us-west1",
      "us-west2",
      "us-west3",
      "us-west4",
    ],
  },
  eu: {
    id: "eu",
    stack: "eu-west",
    projectId: "avalo-eu",
    regions: ["eu-west", "eu-central"],
    firestoreLocation: "eur3",
    bigQueryLocation: "EU",
    kmsMultiRegion: "europe",
    allowedGcpRegions: [
      "europe-west1",
      "europe-west2",
      "europe-west3",
      "europe-west4",
      "europe-west6",
      "europe-west8",
      "europe-west9",
      "europe-west10",
      "europe-west12",
      "europe-north1",
      "europe-central2",
      "europe-southwest1",
    ],
  },
  asia: {
    id: "asia",
    stack: "asia-east",
    projectId: "avalo-asia",
    regions: ["asia-east", "asia-south"],
    firestoreLocation: "asia-east1",
    bigQueryLocation: "asia-east1",
    kmsMultiRegion: "asia-east1",
    allowedGcpRegions: [
      "asia-east1",
      "asia-east2",
      "asia-northeast1",
      "asia-northeast2",
      "asia-northeast3",
      "asia-south1",
      "asia-south2",
      "asia-southeast1",
      "asia-southeast2",
    ],
  },
};

/** Stack names: one per geography, named after its home region. */
export const STACK_NAMES = GEOGRAPHY_IDS.map((g) => GEOGRAPHIES[g].stack);

/** The geography a stack deploys, or undefined for an unknown stack name. */
export function geographyForStack(stack: string): Geography | undefined {
  return GEOGRAPHY_IDS.map((g) => GEOGRAPHIES[g]).find((g) => g.stack === stack);
}

/** Whether a string names one of Avalo's regions. */
export function isRegionId(value: string): value is RegionId {
  return (REGION_IDS as readonly string[]).includes(value);
}

/**
 * Every location string a resource of this geography may carry: its GCP regions, their zones,
 * and the multi-region locations used by Firestore, BigQuery and Cloud KMS. Comparison is
 * case-insensitive.
 */
export function allowedLocations(geography: GeographyId): readonly string[] {
  const g = GEOGRAPHIES[geography];
  const zones = g.allowedGcpRegions.flatMap((r) => ["a", "b", "c", "d"].map((z) => `${r}-${z}`));
  const multi = [g.firestoreLocation, g.bigQueryLocation, g.kmsMultiRegion];
  return [...new Set([...g.allowedGcpRegions, ...zones, ...multi].map((l) => l.toLowerCase()))];
}
