import { expect } from "chai";
import { coverage, renderCoverageMarkdown, renderCoverageText } from "../../cli/policies/coverage";
import { ANCHORS, FRAMEWORK_REFS } from "../../policies/anchors";
import { rules } from "../../policies/rules";

/**
 * Which rule implements each applicable check (shared/POLICY-ANCHORS.md). A rule that loses a
 * check, or a check that loses its rule, fails here.
 */
const EXPECTED: Readonly<Record<number, readonly string[]>> = {
  1: ["pubsub-topic-cmek"],
  2: ["pubsub-no-public-iam"],
  3: ["pubsub-subscription-dead-letter-policy"],
  4: ["pubsub-subscription-message-retention"],
  5: ["cloudrun-no-public-invoker", "cloudrun-internal-ingress"],
  6: ["cloudrun-secrets-from-secret-manager", "no-hardcoded-secrets"],
  7: ["redis-auth-enabled"],
  8: ["redis-transit-encryption"],
  9: ["bigquery-dataset-cmek"],
  10: ["bigquery-table-cmek"],
  11: ["bigquery-dataset-not-public"],
  12: ["bigquery-table-not-public"],
  13: ["bigquery-table-deletion-protection"],
  14: ["bigquery-dataset-expiration"],
  15: ["audit-data-access-logs"],
  16: ["kms-rotation-90-days"],
  17: ["kms-key-protected"],
  18: ["kms-key-not-scheduled-for-deletion"],
  19: ["kms-key-destroy-window"],
  20: ["kms-key-configuration"],
  21: ["kms-no-public-iam"],
  22: ["iam-no-basic-roles"],
  23: ["iam-no-admin-roles"],
  24: ["iam-no-project-service-account-user", "iam-no-project-token-creator"],
  25: ["iam-no-project-impersonation-roles"],
  26: ["iam-no-default-service-account-in-project"],
  27: ["iam-no-direct-user-bindings"],
  28: ["iam-no-user-managed-service-account-keys"],
  29: ["iam-service-account-names-specific"],
  30: ["audit-data-access-logs"],
  31: ["audit-logs-locked-sink"],
  32: ["audit-logs-locked-sink"],
  33: ["audit-logs-multi-region-trail"],
  34: ["storage-bucket-cmek"],
  35: ["storage-bucket-uniform-access"],
  36: ["storage-bucket-public-access-prevention"],
  37: ["storage-bucket-not-public"],
  38: ["storage-bucket-iam-least-privilege"],
  39: ["storage-bucket-versioning"],
  40: ["storage-bucket-access-logging"],
  41: ["storage-bucket-tls-only"],
  42: ["storage-bucket-lifecycle"],
  43: ["storage-bucket-multi-region"],
  44: ["storage-bucket-soft-delete"],
  45: ["storage-bucket-dlp-access"],
  46: ["secretmanager-secret-cmek"],
  47: ["firestore-point-in-time-recovery"],
  48: ["firestore-delete-protection"],
  49: ["firestore-backup-schedule"],
  50: ["firestore-native-concurrency"],
  51: ["firestore-multi-region"],
  52: ["network-subnet-flow-logs"],
  53: ["network-subnet-private-google-access"],
  54: ["network-custom-mode"],
  55: ["network-firewall-deny-by-default"],
  56: ["network-no-external-addresses"],
  57: ["org-security-command-center"],
  58: ["org-web-security-scanner"],
  59: ["labels-required"],
  60: ["labels-required"],
  61: ["single-environment-stack"],
};

/** Avalo's own rules: neither Pulumi's packs nor Checkov have them. */
const OWN = [
  "pubsub-subscription-retry-policy",
  "pubsub-dead-letter-topic-exists",
  "pubsub-dead-letter-agent-grants",
  "pubsub-message-storage-residency",
  "pubsub-push-oidc",
  "cloudrun-dedicated-service-account",
  "cloudrun-max-instances",
  "cloudrun-resources-within-service-table",
  "cloudrun-deletion-protection-explicit",
  "cloudrun-runs-own-bundle",
  "redis-standard-ha-in-prod",
  "redis-cmek",
  "bigquery-table-partitioned",
  "data-residency",
  "monthly-cost-within-budget",
  "stateful-no-destroy",
  "app-check-enforced-in-prod",
  "cors-origins-allow-list-in-prod",
];

describe("policy pack coverage of Pulumi's Google Cloud packs and Checkov", () => {
  it("lists the 61 applicable checks, numbered 1–61", () => {
    expect(ANCHORS.map((a) => a.id)).to.deep.equal(Array.from({ length: 61 }, (_, i) => i + 1));
  });

  it("gives every check the rules it had, and no rule a check it did not", () => {
    const actual = Object.fromEntries(
      ANCHORS.map((a) => [
        a.id,
        rules.filter((r) => r.meta.checks.includes(a.id)).map((r) => r.name),
      ]),
    );
    expect(actual).to.deep.equal(EXPECTED);
    expect(rules.filter((r) => r.meta.checks.length === 0).map((r) => r.name)).to.deep.equal(OWN);
  });

  it("carries each check's Pulumi policy names, Checkov ids and framework references in the rule", () => {
    for (const rule of rules) {
      const anchors = ANCHORS.filter((a) => rule.meta.checks.includes(a.id));
      for (const a of anchors) {
        for (const p of a.pulumi) {
          expect(rule.meta.pulumi, rule.name).to.include(p.name);
          expect(rule.description, rule.name).to.include(p.name);
          if (/[CNPI]/.test(p.packs)) expect(FRAMEWORK_REFS, p.name).to.have.property(p.name);
        }
        for (const id of a.checkov) {
          expect(rule.meta.checkov, rule.name).to.include(id);
          expect(rule.description, rule.name).to.include(id);
        }
      }
      if (anchors.some((a) => a.pulumi.length > 0)) {
        const f = rule.meta.frameworks;
        expect([f.cis, f.nist, f.pci, f.iso].filter(Boolean), rule.name).not.to.deep.equal([]);
      }
    }
  });

  it("cites the frameworks the packs cite, and CIS GCP Foundations only where it matches", () => {
    const meta = (name: string) => rules.find((r) => r.name === name)!.meta;
    expect(meta("pubsub-topic-cmek").frameworks).to.deep.equal({
      cis: "3.11",
      nist: "SC-28",
      pci: "3.5.1",
      iso: "A.8.24",
    });
    expect(meta("kms-rotation-90-days").frameworks).to.deep.equal({
      cis: "4.6",
      nist: "SC-12",
      pci: "3.7.4",
      iso: "A.8.24",
    });
    expect(rules.filter((r) => r.meta.cisGcp).map((r) => [r.name, r.meta.cisGcp])).to.deep.equal([
      ["kms-rotation-90-days", "1.10"],
    ]);
    expect(
      rules.some(
        (r) => r.description.includes("CIS GCP 1.10") && r.name !== "kms-rotation-90-days",
      ),
    ).to.equal(false);
  });

  it("gives every advisory rule its reason, in its description", () => {
    for (const rule of rules.filter((r) => r.enforcementLevel === "advisory")) {
      expect(rule.meta.reason, rule.name).to.be.a("string").and.not.equal("");
      expect(rule.description, rule.name).to.include(`Advisory because: ${rule.meta.reason}`);
    }
  });

  it("renders one line per check and rule, with each stack's result and the advisory reason", () => {
    const table = coverage([
      {
        stack: "us-east",
        findings: [
          {
            rule: "storage-bucket-multi-region",
            source: "policy",
            description: "",
            level: "advisory",
            urn: "u",
            message: "m",
          },
        ],
      },
      { stack: "eu-west", findings: [] },
    ]);
    const md = renderCoverageMarkdown(table);
    expect(md).not.to.include("**none**");
    const rows = md.split("\n").filter((l) => /^\| \d+ \|/.test(l));
    expect(rows).to.have.length(Object.values(EXPECTED).flat().length);
    const multi = rows.find((l) => l.includes("`storage-bucket-multi-region`"))!;
    expect(multi).to.match(
      /\| advisory: locality and cost, not residency .* \| 1 advisory \| pass \|$/,
    );
    expect(rows.find((l) => l.startsWith("| 23 |"))).to.equal(
      "| 23 | No service-admin roles | CNPI `iam-policy-no-statements-with-admin-access` (critical) | CKV_GCP_42 | " +
        "CIS 4.6; NIST AC-6; PCI 7.2.1, 7.2.2; ISO A.8.2 | " +
        "`iam-no-admin-roles` | mandatory | pass | pass |",
    );
    const text = renderCoverageText(table);
    expect(text).to.include("#40 Bucket access logging\n");
    expect(text).to.include(
      "  rule: storage-bucket-access-logging [mandatory] us-east pass, eu-west pass\n",
    );
    expect(text).not.to.include("rule: NONE");
  });
});
