import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { DELETION_PROTECTION } from "../runtime/catalog/limits";
import type { Geography, RegionId } from "../runtime/topology";
import type { Apis, ServiceAgentName } from "./apis";
import type { PlatformArgs } from "./context";
import { KEY_DESTROY_SCHEDULED_DURATION, KEY_ROTATION_PERIOD } from "./defaults";
import { platformLabels } from "./labels";
import { gcpName } from "./naming";
import { checkPlatformArgs } from "./validation";
import { waitFor } from "./outputs";

/** What a key protects; each purpose has its own key and its own service agent. */
export type KeyPurpose = "pubsub" | "redis" | "secrets" | "storage" | "bigquery" | "firestore";

/**
 * Where a key lives: an Avalo region, "multi" for the geography's data location, or "global"
 * for Pub/Sub.
 */
export type KeyLocation = RegionId | "multi" | "global";

/** The service agent that encrypts and decrypts with each purpose's key. */
const KEY_USERS: Readonly<Record<KeyPurpose, ServiceAgentName>> = {
  pubsub: "pubsub",
  redis: "redis",
  secrets: "secretmanager",
  storage: "storage",
  bigquery: "bigquery",
  firestore: "firestore",
};

/**
 * Keys per location. Memorystore, Secret Manager replicas and buckets need a key in their own
 * region; BigQuery and Firestore need one in their dataset / database location. Pub/Sub topics
 * persist messages in several regions of the geography (their message storage policy), and
 * Pub/Sub recommends a global key for that (cloud.google.com/pubsub/docs/cmek): a regional key
 * would make publishing fail whenever the message is stored outside the key's region. The
 * data-residency policy allows a global key ring for Pub/Sub keys only.
 */
const REGIONAL_PURPOSES: readonly KeyPurpose[] = ["redis", "secrets", "storage"];
const MULTI_PURPOSES: readonly KeyPurpose[] = ["bigquery", "firestore"];
const GLOBAL_PURPOSES: readonly KeyPurpose[] = ["pubsub"];

/**
 * Cloud KMS location that GCP requires for data stored in a BigQuery or Firestore location: the
 * US / nam5 multi-regions map to "us", EU / eur3 to "europe", a single region to itself. Only
 * used to check a location against the topology's `kmsMultiRegion`, which places the key ring.
 */
export function kmsLocationFor(location: string): string {
  const lower = location.toLowerCase();
  const multi: Record<string, string> = { us: "us", nam5: "us", eu: "europe", eur3: "europe" };
  return multi[lower] ?? lower;
}

/** Cloud KMS location of the geography's "multi" key ring: the topology's `kmsMultiRegion`. */
export function kmsDataLocation(geography: Geography): string {
  return geography.kmsMultiRegion;
}

/** Arguments of {@link Kms}. */
export interface KmsArgs extends PlatformArgs {
  /** Enabled APIs and service agents. */
  readonly apis: Apis;
  /**
   * Whether keys refuse deletion (Pulumi `protect` and deletion policy PREVENT).
   * @default true in prod, false elsewhere
   */
  readonly deletionProtection?: boolean;
}

/**
 * Customer-managed encryption keys of the geography: a key ring per region, one in the
 * geography's data location and a global one for Pub/Sub, a key per purpose, rotated every 90 days, with
 * `roles/cloudkms.cryptoKeyEncrypterDecrypter` granted to exactly the service agent that uses it.
 */
export class Kms extends pulumi.ComponentResource {
  /** Key rings by location. */
  readonly keyRings: Readonly<Partial<Record<KeyLocation, gcp.kms.KeyRing>>>;
  private readonly keys = new Map<string, { key: gcp.kms.CryptoKey; id: pulumi.Output<string> }>();

  constructor(name: string, args: KmsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("avalo:kms:Kms", name, {}, opts);
    checkPlatformArgs(this, args);
    const protect = args.deletionProtection ?? DELETION_PROTECTION[args.environment];
    const childOpts = { parent: this, dependsOn: args.apis.services };
    const locations: [KeyLocation, string, readonly KeyPurpose[]][] = [
      ...args.regions.map((r): [KeyLocation, string, readonly KeyPurpose[]] => [
        r.id,
        r.gcpRegion,
        REGIONAL_PURPOSES,
      ]),
      ["multi", kmsDataLocation(args.geography), MULTI_PURPOSES],
      ["global", "global", GLOBAL_PURPOSES],
    ];
    const rings: Partial<Record<KeyLocation, gcp.kms.KeyRing>> = {};
    for (const [location, gcpLocation, purposes] of locations) {
      // Key rings cannot be deleted in GCP; protect keeps Pulumi from pretending otherwise.
      const ring = new gcp.kms.KeyRing(
        `${name}-${location}`,
        {
          project: args.project,
          name: gcpName("kms", "avalo", args.geography.id, location),
          location: gcpLocation,
        },
        { ...childOpts, protect },
      );
      rings[location] = ring;
      for (const purpose of purposes) {
        const key = new gcp.kms.CryptoKey(
          `${name}-${location}-${purpose}`,
          {
            name: gcpName("kms", purpose),
            keyRing: ring.id,
            purpose: "ENCRYPT_DECRYPT",
            rotationPeriod: KEY_ROTATION_PERIOD,
            destroyScheduledDuration: KEY_DESTROY_SCHEDULED_DURATION,
            versionTemplate: {
              algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION",
              protectionLevel: "SOFTWARE",
            },
            deletionPolicy: protect ? "PREVENT" : "DELETE",
            labels: platformLabels(args, location, { purpose }),
          },
          { ...childOpts, protect },
        );
        const grant = new gcp.kms.CryptoKeyIAMMember(
          `${name}-${location}-${purpose}-agent`,
          {
            cryptoKeyId: key.id,
            role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member: args.apis.serviceAgent(KEY_USERS[purpose]),
          },
          childOpts,
        );
        // Users of the key id wait for the grant, so no service is handed a key it cannot use.
        const id = waitFor(key.id, [grant]);
        this.keys.set(`${purpose}@${location}`, { key, id });
      }
    }
    this.keyRings = rings;
    this.registerOutputs({});
  }

  /** The crypto key for `purpose` in `location`; throws naming the keys that exist. */
  key(purpose: KeyPurpose, location: KeyLocation): gcp.kms.CryptoKey {
    return this.entry(purpose, location).key;
  }

  /**
   * The key's resource id, available only once its service agent may use it: pass this (not
   * `key().id`) as a resource's KMS key name.
   */
  keyId(purpose: KeyPurpose, location: KeyLocation): pulumi.Output<string> {
    return this.entry(purpose, location).id;
  }

  private entry(purpose: KeyPurpose, location: KeyLocation) {
    const found = this.keys.get(`${purpose}@${location}`);
    if (!found) {
      throw new pulumi.ResourceError(
        `no "${purpose}" key in location "${location}"; keys: ${[...this.keys.keys()].join(", ")}`,
        this,
      );
    }
    return found;
  }
}
