import {
  at,
  isBroadRole,
  publicMembers,
  resourceRule,
  rolesOf,
  seconds,
  type AvaloResourcePolicy,
} from "./define";

const CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey";
const CRYPTO_KEY_VERSION = "gcp:kms/cryptoKeyVersion:CryptoKeyVersion";
const MAX_ROTATION_SECONDS = 90 * 86_400;
/** Destroy-scheduled window: at least the 30 days GCP defaults to, at most its 120-day limit. */
const DESTROY_SCHEDULED_SECONDS = { min: 30 * 86_400, max: 120 * 86_400 };
const IAM_TYPES = [
  "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
  "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding",
  "gcp:kms/cryptoKeyIAMPolicy:CryptoKeyIAMPolicy",
  "gcp:kms/keyRingIAMMember:KeyRingIAMMember",
  "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding",
  "gcp:kms/keyRingIAMPolicy:KeyRingIAMPolicy",
];
/** Roles that use a key without managing it. */
const KEY_USER_ROLES = [
  "roles/cloudkms.cryptoKeyEncrypterDecrypter",
  "roles/cloudkms.cryptoKeyEncrypter",
  "roles/cloudkms.cryptoKeyDecrypter",
  "roles/cloudkms.viewer",
];
const DESTROYED_STATES = ["DESTROYED", "DESTROY_SCHEDULED"];

export const kmsRules: AvaloResourcePolicy[] = [
  resourceRule({
    name: "kms-rotation-90-days",
    checks: [16],
    cisGcp: "1.10",
    requirement: "Symmetric KMS keys rotate at least every 90 days.",
    enforcementLevel: "mandatory",
    types: [CRYPTO_KEY],
    check: (props, flag) => {
      if (props.purpose !== undefined && props.purpose !== "ENCRYPT_DECRYPT") return;
      const period = props.rotationPeriod;
      const s = seconds(period);
      if (!(s > 0 && s <= MAX_ROTATION_SECONDS)) {
        flag(
          "rotationPeriod",
          period,
          `set rotationPeriod to at most "${MAX_ROTATION_SECONDS}s" (90 days).`,
        );
      }
    },
  }),
  resourceRule({
    name: "kms-key-protected",
    checks: [17],
    requirement: "KMS keys are protected from destroy (Pulumi protect, deletion policy PREVENT).",
    enforcementLevel: "mandatory",
    types: [CRYPTO_KEY],
    check: (props, flag, args) => {
      if (!args.opts.protect) {
        flag(
          "protect (resource option)",
          args.opts.protect,
          "create the key with { protect: true } (Kms does in prod).",
        );
      } else if (props.deletionPolicy !== undefined && props.deletionPolicy !== "PREVENT") {
        flag("deletionPolicy", props.deletionPolicy, 'set deletionPolicy: "PREVENT".');
      }
    },
  }),
  resourceRule({
    name: "kms-key-not-scheduled-for-deletion",
    checks: [18],
    requirement:
      "No key version is declared destroyed or scheduled for destruction, and no key is created without its first version.",
    enforcementLevel: "mandatory",
    types: [CRYPTO_KEY, CRYPTO_KEY_VERSION],
    check: (props, flag, args) => {
      if (args.type === CRYPTO_KEY_VERSION && DESTROYED_STATES.includes(String(props.state))) {
        flag(
          "state",
          props.state,
          'keep the version "ENABLED"; restore it within the destroy window.',
        );
      }
      if (args.type === CRYPTO_KEY && props.skipInitialVersionCreation === true) {
        flag(
          "skipInitialVersionCreation",
          true,
          "let KMS create the first version (remove the flag).",
        );
      }
    },
  }),
  resourceRule({
    name: "kms-key-destroy-window",
    checks: [19],
    requirement:
      "KMS keys set destroyScheduledDuration explicitly to 30–120 days, so a destroyed version can be restored for at least a month.",
    enforcementLevel: "mandatory",
    types: [CRYPTO_KEY],
    check: (props, flag) => {
      const s = seconds(props.destroyScheduledDuration);
      if (!(s >= DESTROY_SCHEDULED_SECONDS.min && s <= DESTROY_SCHEDULED_SECONDS.max)) {
        flag(
          "destroyScheduledDuration",
          props.destroyScheduledDuration,
          `set it to ${DESTROY_SCHEDULED_SECONDS.min}s–${DESTROY_SCHEDULED_SECONDS.max}s (KEY_DESTROY_SCHEDULED_DURATION).`,
        );
      }
    },
  }),
  resourceRule({
    name: "kms-key-configuration",
    checks: [20],
    requirement:
      "KMS keys are ENCRYPT_DECRYPT keys with an explicit GOOGLE_SYMMETRIC_ENCRYPTION algorithm at SOFTWARE or HSM protection.",
    enforcementLevel: "mandatory",
    types: [CRYPTO_KEY],
    check: (props, flag) => {
      if (props.purpose !== undefined && props.purpose !== "ENCRYPT_DECRYPT") {
        flag("purpose", props.purpose, 'use "ENCRYPT_DECRYPT" for CMEK.');
      }
      const algorithm = at(props, "versionTemplate.algorithm");
      if (algorithm !== "GOOGLE_SYMMETRIC_ENCRYPTION") {
        flag("versionTemplate.algorithm", algorithm, 'set it to "GOOGLE_SYMMETRIC_ENCRYPTION".');
      }
      const level = at(props, "versionTemplate.protectionLevel");
      if (!["SOFTWARE", "HSM"].includes(String(level))) {
        flag("versionTemplate.protectionLevel", level, 'set it to "SOFTWARE" or "HSM".');
      }
    },
  }),
  resourceRule({
    name: "kms-no-public-iam",
    checks: [21],
    requirement:
      "No KMS key or key ring grants access to allUsers or allAuthenticatedUsers, and only encrypter/decrypter or viewer roles are granted on keys.",
    enforcementLevel: "mandatory",
    types: IAM_TYPES,
    check: (props, flag) => {
      const found = publicMembers(props);
      if (found.length > 0)
        flag(
          "member",
          found.join(", "),
          "grant encrypter/decrypter only to the service agents that use the key.",
        );
      const other = rolesOf(props).filter((r) => isBroadRole(r) || !KEY_USER_ROLES.includes(r));
      if (other.length > 0) {
        flag("role", other.join(", "), `grant one of ${KEY_USER_ROLES.join(", ")}.`);
      }
    },
  }),
];
