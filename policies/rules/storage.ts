import {
  at,
  isBroadRole,
  list,
  publicMembers,
  resourceRule,
  rolesOf,
  stackRule,
  type AvaloResourcePolicy,
  type AvaloStackPolicy,
  type Props,
} from "./define";

const BUCKET = "gcp:storage/bucket:Bucket";
const BUCKET_IAM = [
  "gcp:storage/bucketIAMMember:BucketIAMMember",
  "gcp:storage/bucketIAMBinding:BucketIAMBinding",
  "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
];
const BUCKET_ACL = [
  "gcp:storage/bucketACL:BucketACL",
  "gcp:storage/bucketAccessControl:BucketAccessControl",
  "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
  "gcp:storage/objectAccessControl:ObjectAccessControl",
];
const MIN_SOFT_DELETE_SECONDS = 7 * 86_400;
/** Cloud Storage multi-region and predefined dual-region locations. */
const REPLICATED_LOCATIONS = ["us", "eu", "asia", "nam4", "eur4", "eur5", "eur7", "eur8", "asia1"];
/** Cloud DLP (Sensitive Data Protection) service agents. */
const DLP_AGENT = /@dlp-api\.iam\.gserviceaccount\.com$/;
/** Roles on a bucket that manage it rather than use its objects. */
const LEGACY_OWNER_ROLES = ["roles/storage.legacyBucketOwner", "roles/storage.legacyObjectOwner"];

/** Public entities in ACL resources (`allUsers`, `allAuthenticatedUsers`, `READER:allUsers`). */
function publicEntities(props: Props): string[] {
  const entities = [props.entity, ...list(props.roleEntities), ...list(props.defaultAcls)];
  return entities.map(String).filter((e) => /(^|:)(allUsers|allAuthenticatedUsers)$/.test(e));
}

export const storageRules: Array<AvaloResourcePolicy | AvaloStackPolicy> = [
  resourceRule({
    name: "storage-bucket-cmek",
    checks: [34],
    requirement: "Buckets encrypt new objects with a customer-managed KMS key by default.",
    enforcementLevel: "mandatory",
    types: [BUCKET],
    check: (props, flag) => {
      if (!at(props, "encryption.defaultKmsKeyName")) {
        flag(
          "encryption.defaultKmsKeyName",
          at(props, "encryption.defaultKmsKeyName"),
          'set it to the region\'s storage key (Kms.keyId("storage", region)).',
        );
      }
    },
  }),
  resourceRule({
    name: "storage-bucket-uniform-access",
    checks: [35],
    requirement: "Buckets use uniform bucket-level access (IAM only, no object ACLs).",
    enforcementLevel: "mandatory",
    types: [BUCKET],
    check: (props, flag) => {
      if (props.uniformBucketLevelAccess !== true) {
        flag("uniformBucketLevelAccess", props.uniformBucketLevelAccess, "set it to true.");
      }
    },
  }),
  resourceRule({
    name: "storage-bucket-public-access-prevention",
    checks: [36],
    requirement: "Buckets enforce public access prevention.",
    enforcementLevel: "mandatory",
    types: [BUCKET],
    check: (props, flag) => {
      if (props.publicAccessPrevention !== "enforced") {
        flag("publicAccessPrevention", props.publicAccessPrevention, 'set it to "enforced".');
      }
    },
  }),
  resourceRule({
    name: "storage-bucket-not-public",
    checks: [37],
    requirement: "No bucket IAM grant or ACL gives allUsers or allAuthenticatedUsers access.",
    enforcementLevel: "mandatory",
    types: [...BUCKET_IAM, ...BUCKET_ACL],
    check: (props, flag) => {
      const found = [...publicMembers(props), ...publicEntities(props)];
      if (found.length > 0) {
        flag(
          "member",
          found.join(", "),
          "grant named service accounts only (MediaBucket.grantReadWrite).",
        );
      }
    },
  }),
  resourceRule({
    name: "storage-bucket-iam-least-privilege",
    checks: [38],
    requirement:
      "Bucket IAM grants object roles only: no owner, editor, storage admin or legacy owner roles.",
    enforcementLevel: "mandatory",
    types: BUCKET_IAM,
    check: (props, flag) => {
      const broad = rolesOf(props).filter((r) => isBroadRole(r) || LEGACY_OWNER_ROLES.includes(r));
      if (broad.length > 0) {
        flag(
          "role",
          broad.join(", "),
          "grant roles/storage.objectViewer, objectCreator or objectUser.",
        );
      }
    },
  }),
  resourceRule({
    name: "storage-bucket-versioning",
    checks: [39],
    requirement: "Buckets keep object versions.",
    enforcementLevel: "mandatory",
    types: [BUCKET],
    check: (props, flag) => {
      if (at(props, "versioning.enabled") !== true) {
        flag(
          "versioning.enabled",
          at(props, "versioning.enabled"),
          "set versioning: { enabled: true }.",
        );
      }
    },
  }),
  stackRule({
    name: "storage-bucket-access-logging",
    checks: [40],
    requirement:
      "Every bucket logs access to a log bucket declared in the same stack; a log bucket is not logged itself (and never to itself).",
    enforcementLevel: "mandatory",
    check: (args, report) => {
      const buckets = args.resources.filter((r) => r.type === BUCKET);
      const names = new Set(buckets.map((b) => String(b.props.name)));
      const targets = new Set(
        buckets.map((b) => at(b.props, "logging.logBucket")).filter((t) => typeof t === "string"),
      );
      for (const b of buckets) {
        const target = at(b.props, "logging.logBucket");
        const name = String(b.props.name);
        const where = `${b.type} "${b.name}": logging.logBucket is ${JSON.stringify(target) ?? "not set"}`;
        if (targets.has(name)) {
          if (target !== undefined) {
            report(
              `${where}, but this bucket is itself a log bucket. Fix: remove its logging (a log bucket that logs grows without end).`,
              b.urn,
            );
          }
        } else if (typeof target !== "string" || target === name || !names.has(target)) {
          report(
            `${where}. Fix: log to the component's access-log bucket (privateBucketArgs logBucket).`,
            b.urn,
          );
        }
      }
    },
  }),
  resourceRule({
    name: "storage-bucket-tls-only",
    checks: [41],
    requirement:
      "Buckets are reachable only through Google's HTTPS APIs: no website hosting, public access prevention enforced.",
    enforcementLevel: "mandatory",
    types: [BUCKET],
    check: (props, flag) => {
      if (props.website !== undefined) {
        flag("website", props.website, "remove website hosting; serve through the API over HTTPS.");
      }
      if (props.publicAccessPrevention !== "enforced") {
        flag("publicAccessPrevention", props.publicAccessPrevention, 'set it to "enforced".');
      }
    },
  }),
  resourceRule({
    name: "storage-bucket-lifecycle",
    checks: [42],
    requirement: "Buckets declare lifecycle rules that delete data no longer needed.",
    enforcementLevel: "mandatory",
    types: [BUCKET],
    check: (props, flag) => {
      const rules = list(props.lifecycleRules);
      if (!rules.some((r) => at(r, "action.type") === "Delete")) {
        flag("lifecycleRules", props.lifecycleRules, "add a Delete rule (privateBucketArgs does).");
      }
    },
  }),
  resourceRule({
    name: "storage-bucket-multi-region",
    checks: [43],
    requirement:
      "Buckets are multi-region or dual-region, so they stay available through a regional outage.",
    enforcementLevel: "advisory",
    reason:
      "locality and cost, not residency (US, EU and ASIA multi-regions lie in their geographies): each bucket sits in its geography's home region beside the services that read it, bundles and access logs are rebuilt or expendable, and media keep versions and a soft-delete window, so a replicated location's storage and replication cost is not taken",
    types: [BUCKET],
    check: (props, flag) => {
      const location = String(props.location ?? "").toLowerCase();
      if (!REPLICATED_LOCATIONS.includes(location) && !props.customPlacementConfig) {
        flag("location", props.location, "use the geography's multi-region or a dual-region.");
      }
    },
  }),
  resourceRule({
    name: "storage-bucket-soft-delete",
    checks: [44],
    requirement: "Buckets set soft-delete retention explicitly to at least 7 days.",
    enforcementLevel: "mandatory",
    types: [BUCKET],
    check: (props, flag) => {
      const retention = Number(at(props, "softDeletePolicy.retentionDurationSeconds"));
      if (!(retention >= MIN_SOFT_DELETE_SECONDS)) {
        flag(
          "softDeletePolicy.retentionDurationSeconds",
          at(props, "softDeletePolicy.retentionDurationSeconds"),
          `set it to at least ${MIN_SOFT_DELETE_SECONDS} (7 days).`,
        );
      }
    },
  }),
  stackRule({
    name: "storage-bucket-dlp-access",
    checks: [45],
    requirement:
      "The Cloud DLP (Sensitive Data Protection) service agent may read every bucket, so discovery scans can classify it.",
    enforcementLevel: "advisory",
    reason:
      "no Sensitive Data Protection discovery is configured (a project- or organisation-level service); granting its agent read access to user media before a scan exists would widen access for nothing",
    check: (args, report) => {
      const readable = new Set(
        args.resources
          .filter(
            (r) =>
              BUCKET_IAM.includes(r.type) &&
              [r.props.member, ...list(r.props.members)].some((m) => DLP_AGENT.test(String(m))),
          )
          .map((r) => String(r.props.bucket)),
      );
      for (const b of args.resources.filter((r) => r.type === BUCKET)) {
        if (!readable.has(String(b.props.name))) {
          report(
            `${b.type} "${b.name}": no grant lets the DLP service agent read it. Fix: grant roles/storage.objectViewer to service-<number>@dlp-api.iam.gserviceaccount.com when a discovery scan covers it.`,
            b.urn,
          );
        }
      }
    },
  }),
];
