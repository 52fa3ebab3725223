import { SECRET_VALUE } from "./cloudrun";
import { at, list, resourceRule, type AvaloResourcePolicy, type Props } from "./define";

const SECRET = "gcp:secretmanager/secret:Secret";
const SECRET_VERSION = "gcp:secretmanager/secretVersion:SecretVersion";
/** Input names that hold a credential (`password`, `clientSecret`, `apiKey`, `accessToken`...). */
const CREDENTIAL_KEY =
  /(password|passwd|secret|token|api_?key|private_?key|credentials?|access_?key|auth_?string)$/i;
/** Input names that only reference a secret by id (`secret` on IAM members and secretKeyRef). */
const REFERENCE_KEY = /^(secret|secrets)$/;
/** Values the preview and the engine put in place of secrets and unknowns. */
const PLACEHOLDERS = ["[secret]", "[unknown]"];

/** A string input that looks like a hard-coded credential. */
interface Hit {
  readonly path: string;
}

/** String inputs named like a credential, or shaped like a key, anywhere in `props`. */
function hardcodedSecrets(props: Props, skip: (path: string) => boolean): Hit[] {
  const hits: Hit[] = [];
  const visit = (value: unknown, path: string, key: string) => {
    if (skip(path)) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}[${i}]`, key));
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        visit(v, path ? `${path}.${k}` : k, k);
      }
    } else if (typeof value === "string" && value !== "" && !PLACEHOLDERS.includes(value)) {
      const named = CREDENTIAL_KEY.test(key) && !REFERENCE_KEY.test(key);
      if (named || SECRET_VALUE.test(value)) hits.push({ path });
    }
  };
  visit(props, "", "");
  return hits;
}

export const secretRules: AvaloResourcePolicy[] = [
  resourceRule({
    name: "no-hardcoded-secrets",
    checks: [6],
    requirement:
      "No resource input holds a credential in plain text: inputs named like one (password, secret, token, key...) or shaped like one (API keys, private keys).",
    enforcementLevel: "mandatory",
    exemptions: [
      {
        what: "Secret Manager secret versions' secretData",
        reason: "that is where credentials belong; the program writes generated values there",
      },
      {
        what: "Cloud Run container env",
        reason: "cloudrun-secrets-from-secret-manager checks it with env-specific advice",
      },
    ],
    types: (type) => type.startsWith("gcp:") && type !== SECRET_VERSION,
    check: (props, flag, args) => {
      const cloudRun = args.type.startsWith("gcp:cloudrunv2/");
      const skip = (path: string) => cloudRun && /containers\[\d+\]\.envs$/.test(path);
      for (const hit of hardcodedSecrets(props, skip)) {
        flag(
          hit.path,
          "a plain value",
          "store it in Secret Manager and pass a reference (secretKeyRef, secret version id).",
        );
      }
    },
  }),
  resourceRule({
    name: "secretmanager-secret-cmek",
    checks: [46],
    requirement:
      "Secret Manager secrets encrypt every replica with a customer-managed KMS key of its location.",
    enforcementLevel: "mandatory",
    types: [SECRET],
    check: (props, flag) => {
      const replicas = list(at(props, "replication.userManaged.replicas"));
      const auto = at(props, "replication.auto.customerManagedEncryption.kmsKeyName");
      const covered =
        replicas.length > 0
          ? replicas.every((r) => !!at(r, "customerManagedEncryption.kmsKeyName"))
          : !!auto;
      if (!covered) {
        flag(
          "replication",
          props.replication,
          "give each user-managed replica customerManagedEncryption.kmsKeyName (the region's secrets key).",
        );
      }
    },
  }),
];
