import type { ResourceValidationPolicy } from "@pulumi/policy";
import { publicMembers, resourceRule } from "./define";

const CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey";
const MAX_ROTATION_SECONDS = 90 * 86_400;
const IAM_TYPES = [
  "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
  "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding",
  "gcp:kms/cryptoKeyIAMPolicy:CryptoKeyIAMPolicy",
  "gcp:kms/keyRingIAMMember:KeyRingIAMMember",
  "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding",
  "gcp:kms/keyRingIAMPolicy:KeyRingIAMPolicy",
];

export const kmsRules: ResourceValidationPolicy[] = [
  resourceRule({
    name: "kms-rotation-90-days",
    control: "CKV_GCP_43, CIS GCP 1.10",
    requirement: "Symmetric KMS keys rotate at least every 90 days.",
    enforcementLevel: "mandatory",
    types: [CRYPTO_KEY],
    check: (props, flag) => {
      if (props.purpose !== undefined && props.purpose !== "ENCRYPT_DECRYPT") return;
      const period = props.rotationPeriod;
      const seconds = typeof period === "string" ? Number(period.replace(/s$/, "")) : NaN;
      if (!(seconds > 0 && seconds <= MAX_ROTATION_SECONDS)) {
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
    control: "CKV_GCP_82",
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
    name: "kms-no-public-iam",
    control: "CKV2_GCP_6",
    requirement: "No KMS key or key ring grants access to allUsers or allAuthenticatedUsers.",
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
    },
  }),
];
