/**
 * The checks of Pulumi's pre-built Google Cloud policy packs and of Checkov that apply to the
 * resource types this program deploys (shared/POLICY-ANCHORS.md, measured 2026-12-03), as plain
 * data. Each rule of the pack names the checks it implements (`checks` in policies/rules/define.ts);
 * `avalo policies --coverage` and test/policies/coverage.test.ts read this list, so a check without
 * a rule, or a rule that loses its references, fails the tests.
 *
 * Pack letters: C = CIS Controls v8.1 (`cis-google-cloud`), N = NIST SP 800-53, P = PCI DSS
 * v4.0.1, I = ISO/IEC 27001:2022, H = HITRUST, B = Pulumi Best Practices. Framework references
 * are the ones each pack cites for the policy (pulumi/docs, content/docs/reference/
 * pre-built-policy-packs/<pack>/google-cloud.md).
 */

/** Severity a Pulumi pack gives a policy (Checkov gives none). */
export type Severity = "low" | "medium" | "high" | "critical";

/** A policy of Pulumi's pre-built packs: its name, the packs that carry it and its severity. */
export interface PulumiPolicy {
  readonly name: string;
  /** Pack letters (`CNPI`). */
  readonly packs: string;
  readonly severity: Severity;
}

/** One applicable check: the Pulumi policies and Checkov ids that express it. */
export interface Anchor {
  /** Row number in shared/POLICY-ANCHORS.md. */
  readonly id: number;
  readonly check: string;
  readonly pulumi: readonly PulumiPolicy[];
  readonly checkov: readonly string[];
}

/** Framework references a Pulumi policy cites, per framework. */
export interface FrameworkRefs {
  /** CIS Controls v8.1 safeguard. */
  readonly cis?: string;
  /** NIST SP 800-53 control. */
  readonly nist?: string;
  /** PCI DSS v4.0.1 requirement. */
  readonly pci?: string;
  /** ISO/IEC 27001:2022 Annex A control. */
  readonly iso?: string;
}

const p = (name: string, packs: string, severity: Severity): PulumiPolicy => ({
  name,
  packs,
  severity,
});

export const ANCHORS: readonly Anchor[] = [
  {
    id: 1,
    check: "Topic CMEK",
    pulumi: [p("pubsub-encrypted-kms", "CNPI", "medium"), p("pubsub-encryption", "H", "low")],
    checkov: ["CKV_GCP_83"],
  },
  {
    id: 2,
    check: "Topic/subscription IAM: not public, no admin/owner/editor",
    pulumi: [
      p("pubsub-topic-iam-least-privilege", "NPIHB", "high"),
      p("pubsub-subscription-iam-least-privilege", "NPIH", "high"),
    ],
    checkov: ["CKV_GCP_99"],
  },
  {
    id: 3,
    check: "Every subscription has a dead-letter queue (5–100 attempts)",
    pulumi: [p("pubsub-dead-letter-queue", "NIHB", "medium")],
    checkov: [],
  },
  {
    id: 4,
    check: "Subscription message retention 10 min–30 days",
    pulumi: [p("pubsub-message-retention", "NPIH", "medium")],
    checkov: [],
  },
  {
    id: 5,
    check: "Cloud Run not public, internal ingress",
    pulumi: [p("cloud-run-service-configuration-check", "CNPI", "high")],
    checkov: ["CKV_GCP_102"],
  },
  {
    id: 6,
    check: "No hard-coded secrets",
    pulumi: [p("hardcoded-secrets", "NPIH", "critical")],
    checkov: [],
  },
  { id: 7, check: "Redis AUTH", pulumi: [], checkov: ["CKV_GCP_95"] },
  { id: 8, check: "Redis in-transit TLS", pulumi: [], checkov: ["CKV_GCP_97"] },
  {
    id: 9,
    check: "BigQuery dataset CMEK",
    pulumi: [
      p("bigquery-dataset-encryption-enabled", "C", "high"),
      p("bigquery-dataset-cmek", "NPI", "high"),
      p("bigquery-dataset-kms", "H", "high"),
    ],
    checkov: ["CKV_GCP_81"],
  },
  {
    id: 10,
    check: "BigQuery table CMEK",
    pulumi: [p("bigquery-table-cmek", "NPI", "high")],
    checkov: ["CKV_GCP_80"],
  },
  {
    id: 11,
    check: "BigQuery dataset not public",
    pulumi: [p("bigquery-dataset-public-access-check", "CNPI", "high")],
    checkov: ["CKV_GCP_15"],
  },
  { id: 12, check: "BigQuery table IAM not public", pulumi: [], checkov: ["CKV_GCP_100"] },
  { id: 13, check: "BigQuery table deletion protection", pulumi: [], checkov: ["CKV_GCP_121"] },
  {
    id: 14,
    check: "BigQuery dataset expiration settings",
    pulumi: [p("bigquery-maintenance-settings-check", "CNPI", "medium")],
    checkov: [],
  },
  {
    id: 15,
    check: "BigQuery data-access audit logs",
    pulumi: [p("bigquery-audit-logging-enabled", "CNPI", "high")],
    checkov: [],
  },
  {
    id: 16,
    check: "KMS key rotation ≤ 90 days",
    pulumi: [p("kms-key-rotation-enabled", "C", "high"), p("kms-key-rotation", "NPIHB", "high")],
    checkov: ["CKV_GCP_43"],
  },
  { id: 17, check: "KMS key protected from destroy", pulumi: [], checkov: ["CKV_GCP_82"] },
  {
    id: 18,
    check: "KMS key not scheduled for deletion",
    pulumi: [p("kms-key-not-scheduled-for-deletion", "C", "high")],
    checkov: [],
  },
  {
    id: 19,
    check: "KMS key destroy-duration lifecycle",
    pulumi: [p("kms-key-lifecycle", "NPIHB", "low")],
    checkov: [],
  },
  {
    id: 20,
    check: "KMS key algorithm and protection level",
    pulumi: [p("kms-key-configuration", "NPIHB", "low")],
    checkov: [],
  },
  {
    id: 21,
    check: "KMS IAM: not public, no owner/editor/admin",
    pulumi: [p("kms-key-iam", "NPIH", "high")],
    checkov: ["CKV_GCP_112", "CKV2_GCP_6", "CKV2_GCP_8"],
  },
  {
    id: 22,
    check: "No basic roles",
    pulumi: [
      p("iam-policy-no-statements-with-full-access", "C", "critical"),
      p("iam-no-broad-roles", "NPIHB", "critical"),
    ],
    checkov: ["CKV_GCP_117"],
  },
  {
    id: 23,
    check: "No service-admin roles",
    pulumi: [p("iam-policy-no-statements-with-admin-access", "CNPI", "critical")],
    checkov: ["CKV_GCP_42"],
  },
  {
    id: 24,
    check: "No Service Account User / Token Creator on the project",
    pulumi: [],
    checkov: ["CKV_GCP_41"],
  },
  {
    id: 25,
    check: "No impersonation roles on the project",
    pulumi: [],
    checkov: ["CKV_GCP_49"],
  },
  {
    id: 26,
    check: "Default compute service account not in project IAM",
    pulumi: [],
    checkov: ["CKV_GCP_46"],
  },
  {
    id: 27,
    check: "No direct principal bindings",
    pulumi: [p("iam-user-no-direct-policies-check", "CNPI", "high")],
    checkov: [],
  },
  {
    id: 28,
    check: "No user-managed service account keys",
    pulumi: [p("service-account-key", "NPIH", "critical")],
    checkov: ["CKV2_GCP_3"],
  },
  {
    id: 29,
    check: "Service account names not generic",
    pulumi: [p("service-account-restricted-names", "NPIH", "medium")],
    checkov: [],
  },
  {
    id: 30,
    check: "Data-access audit logs",
    pulumi: [p("cloud-audit-logs-data-access-events-enabled", "CNPI", "high")],
    checkov: ["CKV2_GCP_5"],
  },
  {
    id: 31,
    check: "Cloud Audit Logs sink",
    pulumi: [
      p("cloud-audit-logs-cloud-logging-enabled", "C", "high"),
      p("cloud-audit-logs-security-trail-enabled", "C", "high"),
      p("audit-logs-sink-enabled", "NPI", "medium"),
    ],
    checkov: [],
  },
  {
    id: 32,
    check: "Locked audit-log storage",
    pulumi: [p("cloud-audit-logs-integrity-monitoring-enabled", "CNPI", "high")],
    checkov: ["CKV2_GCP_4"],
  },
  {
    id: 33,
    check: "Multi-region audit trail",
    pulumi: [p("cloud-audit-logs-multi-region-trail-enabled", "CNPI", "high")],
    checkov: [],
  },
  {
    id: 34,
    check: "Bucket CMEK",
    pulumi: [
      p("cloud-storage-bucket-default-encryption-enabled", "C", "high"),
      p("cloud-storage-bucket-encryption-enabled", "C", "high"),
      p("cloud-storage-default-encryption-kms", "C", "high"),
      p("bucket-cmek", "NPI", "high"),
      p("bucket-customer-managed-kms", "HB", "high"),
    ],
    checkov: [],
  },
  {
    id: 35,
    check: "Uniform bucket-level access",
    pulumi: [
      p("bucket-uniform-bucket-level-access", "NPI", "high"),
      p("bucket-uniform-access", "H", "high"),
    ],
    checkov: ["CKV_GCP_29"],
  },
  {
    id: 36,
    check: "Public access prevention",
    pulumi: [
      p("cloud-storage-bucket-level-public-access-prohibited", "C", "high"),
      p("bucket-public-access-prevention", "NPI", "high"),
      p("bucket-no-public-read", "HB", "critical"),
    ],
    checkov: ["CKV_GCP_114"],
  },
  {
    id: 37,
    check: "Bucket IAM not public",
    pulumi: [
      p("cloud-storage-bucket-iam-policy-grantee-check", "CNPI", "critical"),
      p("cloud-storage-bucket-public-read-prohibited", "C", "critical"),
      p("cloud-storage-bucket-restrict-public-read-access", "C", "critical"),
      p("cloud-storage-bucket-public-write-prohibited", "CNPI", "critical"),
      p("bucket-public-read-prohibited", "NPI", "critical"),
    ],
    checkov: ["CKV_GCP_28"],
  },
  {
    id: 38,
    check: "Bucket IAM least privilege",
    pulumi: [p("bucket-iam-least-privilege", "NPIHB", "high")],
    checkov: [],
  },
  {
    id: 39,
    check: "Bucket versioning",
    pulumi: [
      p("cloud-storage-bucket-versioning-enabled", "CNI", "high"),
      p("bucket-versioning", "HB", "medium"),
    ],
    checkov: ["CKV_GCP_78"],
  },
  {
    id: 40,
    check: "Bucket access logging",
    pulumi: [
      p("cloud-storage-bucket-logging-enabled", "C", "high"),
      p("bucket-access-logging", "NPIHB", "medium"),
    ],
    checkov: ["CKV_GCP_62", "CKV_GCP_63"],
  },
  {
    id: 41,
    check: "Bucket TLS-only",
    pulumi: [p("cloud-storage-bucket-ssl-requests-only", "C", "high")],
    checkov: [],
  },
  {
    id: 42,
    check: "Bucket lifecycle rules",
    pulumi: [p("bucket-lifecycle", "NPIH", "medium")],
    checkov: [],
  },
  {
    id: 43,
    check: "Multi- or dual-region bucket",
    pulumi: [
      p("cloud-storage-bucket-cross-region-replication-enabled", "C", "high"),
      p("bucket-multi-region", "NIHB", "medium"),
    ],
    checkov: [],
  },
  {
    id: 44,
    check: "Bucket soft delete ≥ 7 days",
    pulumi: [p("bucket-soft-delete-retention", "NI", "medium")],
    checkov: [],
  },
  {
    id: 45,
    check: "Bucket DLP agent access",
    pulumi: [p("bucket-dlp-access", "NIH", "medium")],
    checkov: [],
  },
  {
    id: 46,
    check: "Secret Manager CMEK",
    pulumi: [
      p("secret-manager-using-cmek", "C", "high"),
      p("secretmanager-secret-cmek", "NPI", "high"),
      p("secretmanager-customer-kms", "H", "high"),
    ],
    checkov: [],
  },
  {
    id: 47,
    check: "Firestore point-in-time recovery",
    pulumi: [p("cloud-firestore-pitr-enabled", "C", "high"), p("firestore-pitr", "NIH", "medium")],
    checkov: [],
  },
  {
    id: 48,
    check: "Firestore delete protection",
    pulumi: [p("firestore-deletion-protection", "I", "medium")],
    checkov: [],
  },
  {
    id: 49,
    check: "Firestore backups ≥ 7 days",
    pulumi: [p("cloud-firestore-in-backup-plan", "CNI", "high")],
    checkov: [],
  },
  {
    id: 50,
    check: "Firestore Native mode, not PESSIMISTIC",
    pulumi: [
      p("cloud-firestore-autoscaling-enabled", "CN", "high"),
      p("firestore-native-concurrency-mode", "I", "medium"),
    ],
    checkov: [],
  },
  {
    id: 51,
    check: "Firestore multi-region location",
    pulumi: [p("firestore-multi-region-location", "I", "medium")],
    checkov: [],
  },
  {
    id: 52,
    check: "Subnet flow logs",
    pulumi: [p("vpc-flow-logs-enabled", "CNPI", "high"), p("subnetwork-flow-logs", "H", "low")],
    checkov: ["CKV_GCP_26"],
  },
  {
    id: 53,
    check: "Private Google Access, no external IPs on subnets",
    pulumi: [
      p("subnet-auto-assign-external-ip-disabled", "CN", "high"),
      p("subnet-private-google-access", "I", "medium"),
    ],
    checkov: ["CKV_GCP_74"],
  },
  { id: 54, check: "No auto-mode network", pulumi: [], checkov: ["CKV2_GCP_2"] },
  { id: 55, check: "Network has its own firewall rules", pulumi: [], checkov: ["CKV2_GCP_18"] },
  {
    id: 56,
    check: "External IP addresses associated",
    pulumi: [p("vpc-external-ip-associated", "CNI", "medium")],
    checkov: [],
  },
  {
    id: 57,
    check: "Security Command Center",
    pulumi: [p("security-command-center-enabled", "CNPI", "high")],
    checkov: [],
  },
  {
    id: 58,
    check: "Web Security Scanner",
    pulumi: [p("cloud-security-scanner-enabled", "CNPI", "high")],
    checkov: [],
  },
  {
    id: 59,
    check: "`environment` label",
    pulumi: [p("environment-label", "NIHB", "low")],
    checkov: [],
  },
  {
    id: 60,
    check: "environment/team/owner labels",
    pulumi: [p("resource-labeling", "NIHB", "low")],
    checkov: [],
  },
  {
    id: 61,
    check: "One environment per stack",
    pulumi: [p("single-environment-stack", "NIH", "low")],
    checkov: [],
  },
];

/**
 * Framework references the CIS, NIST, PCI DSS and ISO 27001 packs cite for each Pulumi policy
 * above (HITRUST and Best Practices references are not listed).
 */
export const FRAMEWORK_REFS: Readonly<Record<string, FrameworkRefs>> = {
  "pubsub-encrypted-kms": { cis: "3.11", nist: "SC-28", pci: "3.5.1", iso: "A.8.24" },
  "pubsub-topic-iam-least-privilege": { nist: "AC-6", pci: "7.2.2; 7.3.1", iso: "A.8.2; A.8.3" },
  "pubsub-subscription-iam-least-privilege": {
    nist: "AC-6",
    pci: "7.2.2; 7.3.1",
    iso: "A.8.2; A.8.3",
  },
  "pubsub-dead-letter-queue": { nist: "AU-5", iso: "A.5.30" },
  "pubsub-message-retention": { nist: "AU-11", pci: "3.2.1", iso: "A.8.10" },
  "cloud-run-service-configuration-check": {
    cis: "3.3",
    nist: "CM-2",
    pci: "1.4.2; 7.3.1",
    iso: "A.8.3; A.8.20",
  },
  "hardcoded-secrets": { nist: "IA-5", pci: "8.6.3", iso: "A.5.17" },
  "bigquery-dataset-encryption-enabled": { cis: "3.11" },
  "bigquery-dataset-cmek": { nist: "SC-28", pci: "3.5.1", iso: "A.8.24" },
  "bigquery-table-cmek": { nist: "SC-28", pci: "3.5.1", iso: "A.8.24" },
  "bigquery-dataset-public-access-check": {
    cis: "3.3",
    nist: "AC-3",
    pci: "1.4.2; 7.3.1",
    iso: "A.8.3",
  },
  "bigquery-maintenance-settings-check": { cis: "4.1", nist: "CM-3", pci: "3.2.1", iso: "A.8.10" },
  "bigquery-audit-logging-enabled": {
    cis: "3.8",
    nist: "AU-2",
    pci: "10.2.1; 10.2.1.1",
    iso: "A.8.15",
  },
  "kms-key-rotation-enabled": { cis: "4.6" },
  "kms-key-rotation": { nist: "SC-12", pci: "3.7.4", iso: "A.8.24" },
  "kms-key-not-scheduled-for-deletion": { cis: "3.11" },
  "kms-key-lifecycle": { nist: "SC-12", pci: "3.7.5", iso: "A.8.24" },
  "kms-key-configuration": { nist: "SC-12", pci: "3.6.1; 3.7.1", iso: "A.8.24" },
  "kms-key-iam": { nist: "AC-6", pci: "3.6.1.3; 7.2.1", iso: "A.8.2; A.8.24" },
  "iam-policy-no-statements-with-full-access": { cis: "3.3" },
  "iam-no-broad-roles": { nist: "AC-6", pci: "7.2.1; 7.2.2", iso: "A.5.15; A.8.2" },
  "iam-policy-no-statements-with-admin-access": {
    cis: "4.6",
    nist: "AC-6",
    pci: "7.2.1; 7.2.2",
    iso: "A.8.2",
  },
  "iam-user-no-direct-policies-check": {
    cis: "3.3",
    nist: "AC-2",
    pci: "7.2.1; 7.2.2",
    iso: "A.5.15; A.5.18",
  },
  "service-account-key": { nist: "IA-5", pci: "8.2.2; 8.3.2", iso: "A.5.17" },
  "service-account-restricted-names": { nist: "AC-2", pci: "8.2.2", iso: "A.5.16" },
  "cloud-audit-logs-data-access-events-enabled": {
    cis: "8.5",
    nist: "AU-2",
    pci: "10.2.1; 10.2.1.1",
    iso: "A.8.15",
  },
  "cloud-audit-logs-cloud-logging-enabled": { cis: "8.2" },
  "cloud-audit-logs-security-trail-enabled": { cis: "8.2" },
  "audit-logs-sink-enabled": { nist: "AU-12", pci: "10.2.1; 10.3.3", iso: "A.8.15" },
  "cloud-audit-logs-integrity-monitoring-enabled": {
    cis: "8.3",
    nist: "AU-9",
    pci: "10.3.2",
    iso: "A.5.33; A.8.15",
  },
  "cloud-audit-logs-multi-region-trail-enabled": {
    cis: "8.3",
    nist: "AU-12",
    pci: "10.3.3",
    iso: "A.5.33; A.8.14",
  },
  "cloud-storage-bucket-default-encryption-enabled": { cis: "4.6" },
  "cloud-storage-bucket-encryption-enabled": { cis: "3.11" },
  "cloud-storage-default-encryption-kms": { cis: "3.11" },
  "bucket-cmek": { nist: "SC-28", pci: "3.5.1", iso: "A.8.24" },
  "bucket-uniform-bucket-level-access": { nist: "AC-3", pci: "7.3.1", iso: "A.5.15" },
  "cloud-storage-bucket-level-public-access-prohibited": { cis: "3.3" },
  "bucket-public-access-prevention": { nist: "AC-3", pci: "1.4.2; 7.3.1", iso: "A.8.3" },
  "cloud-storage-bucket-iam-policy-grantee-check": {
    cis: "3.3",
    nist: "AC-3",
    pci: "1.4.2; 7.3.1",
    iso: "A.8.3",
  },
  "cloud-storage-bucket-public-read-prohibited": { cis: "3.3" },
  "cloud-storage-bucket-restrict-public-read-access": { cis: "3.3" },
  "cloud-storage-bucket-public-write-prohibited": {
    cis: "3.3",
    nist: "AC-3",
    pci: "1.4.2; 7.3.1",
    iso: "A.8.3",
  },
  "bucket-public-read-prohibited": { nist: "AC-3", pci: "1.4.2; 7.3.1", iso: "A.8.3" },
  "bucket-iam-least-privilege": { nist: "AC-6", pci: "7.2.1; 7.2.2", iso: "A.5.15; A.8.2" },
  "cloud-storage-bucket-versioning-enabled": { cis: "4.6", nist: "CP-9", iso: "A.8.13" },
  "cloud-storage-bucket-logging-enabled": { cis: "3.8" },
  "bucket-access-logging": { nist: "AU-2", pci: "10.2.1", iso: "A.8.15" },
  "cloud-storage-bucket-ssl-requests-only": { cis: "3.10" },
  "bucket-lifecycle": { nist: "MP-6", pci: "3.2.1", iso: "A.8.10" },
  "cloud-storage-bucket-cross-region-replication-enabled": { cis: "11.2; 11.4" },
  "bucket-multi-region": { nist: "CP-9", iso: "A.8.14" },
  "bucket-soft-delete-retention": { nist: "CP-9", iso: "A.8.13" },
  "bucket-dlp-access": { nist: "AC-3", iso: "A.8.12" },
  "secret-manager-using-cmek": { cis: "3.11" },
  "secretmanager-secret-cmek": { nist: "SC-28", pci: "3.5.1", iso: "A.8.24" },
  "cloud-firestore-pitr-enabled": { cis: "11.2; 11.4" },
  "firestore-pitr": { nist: "CP-9", iso: "A.8.13" },
  "firestore-deletion-protection": { iso: "A.8.13" },
  "cloud-firestore-in-backup-plan": { cis: "11.2; 11.4", nist: "CP-9", iso: "A.8.13" },
  "cloud-firestore-autoscaling-enabled": { cis: "12.2", nist: "SC-5" },
  "firestore-native-concurrency-mode": { iso: "A.8.6" },
  "firestore-multi-region-location": { iso: "A.8.14" },
  "vpc-flow-logs-enabled": { cis: "8.2", nist: "AU-2", pci: "10.2.1", iso: "A.8.15" },
  "subnet-auto-assign-external-ip-disabled": { cis: "3.3", nist: "AC-3" },
  "subnet-private-google-access": { iso: "A.8.20" },
  "vpc-external-ip-associated": { cis: "1.1", nist: "AC-3; SC-7", iso: "A.5.9" },
  "security-command-center-enabled": {
    cis: "1.2",
    nist: "CA-7",
    pci: "10.4.1; 11.5.1",
    iso: "A.8.16",
  },
  "cloud-security-scanner-enabled": { cis: "7.1", nist: "RA-5", pci: "11.3.1", iso: "A.8.8" },
  "environment-label": { nist: "CM-8", iso: "A.5.9" },
  "resource-labeling": { nist: "CM-8", iso: "A.5.9" },
  "single-environment-stack": { nist: "CM-2", iso: "A.8.9" },
};

/** The anchor with this id; throws naming the ids that exist. */
export function anchor(id: number): Anchor {
  const found = ANCHORS.find((a) => a.id === id);
  if (!found) throw new Error(`no applicable check #${id}; checks are #1–#${ANCHORS.length}`);
  return found;
}

/** The framework references of the given checks, merged per framework (sorted, unique). */
export function frameworkRefsOf(ids: readonly number[]): Required<FrameworkRefs> {
  const merged = {
    cis: new Set<string>(),
    nist: new Set<string>(),
    pci: new Set<string>(),
    iso: new Set<string>(),
  };
  for (const id of ids) {
    for (const policy of anchor(id).pulumi) {
      const refs = FRAMEWORK_REFS[policy.name] ?? {};
      for (const key of ["cis", "nist", "pci", "iso"] as const) {
        for (const ref of (refs[key] ?? "").split(";")) if (ref.trim()) merged[key].add(ref.trim());
      }
    }
  }
  const join = (s: Set<string>) =>
    [...s].sort((a, b) => a.localeCompare(b, "en", { numeric: true })).join(", ");
  return {
    cis: join(merged.cis),
    nist: join(merged.nist),
    pci: join(merged.pci),
    iso: join(merged.iso),
  };
}
