import type { PolicyPackConfig } from "@pulumi/policy";
import { expect } from "chai";
import { evaluatePolicies, withStackBudget } from "../../cli/preview/policies";
import type { Finding } from "../../cli/preview/findings";
import * as gcp from "@pulumi/gcp";
import { rules } from "../../policies/rules";
import { locationsOutside } from "../../policies/rules/placement";
import { STATEFUL_RULE } from "../../policies/rules/stateful";
import { GEOGRAPHIES } from "../../runtime/topology";
import { runOffline } from "../../stacks/offline/mocks";
import { compliantProgram, violatingProgram } from "./fixtures";

/** The reason an advisory rule gives with each finding. */
const reasonOf = (name: string) => rules.find((r) => r.name === name)?.meta.reason;

/**
 * The us-east stack's settings, as in policies/config/us-east.json, with a $300 budget: above
 * the compliant program's Redis (5 GB STANDARD_HA in us-east1, $197.10), below the violating
 * program's.
 */
const CONFIG: PolicyPackConfig = Object.fromEntries(
  rules.map((r) => [r.name, { geography: "us", environment: "prod", budgetMonthlyUsd: 300 }]),
);

async function evaluate(
  program: () => unknown,
  config: PolicyPackConfig = CONFIG,
): Promise<Finding[]> {
  const { resources } = await runOffline({ project: "avalo", stack: "us-east" }, program);
  return evaluatePolicies(resources, config);
}

describe("policy pack rules (evaluated offline on programs run under the mocks)", () => {
  let passing: Finding[];
  let failing: Finding[];

  before(async () => {
    // The stateful-destroy rule compares with a base plan: the compliant program's own resources,
    // which the violating program deletes.
    const { resources: base } = await runOffline(
      { project: "avalo", stack: "us-east" },
      compliantProgram,
    );
    const config = { ...CONFIG, [STATEFUL_RULE]: { baseResources: base } };
    passing = await evaluate(compliantProgram, config);
    failing = await evaluate(violatingProgram, config);
  });

  it("has at least 60 rules, each naming its references and its enforcement level", () => {
    expect(rules.length).to.be.at.least(60);
    expect(new Set(rules.map((r) => r.name)).size).to.equal(rules.length);
    for (const rule of rules) {
      expect(rule.description, rule.name).to.match(/^\[(CKV2?_GCP_\d+|Pulumi |Avalo)[^\]]*\] \S/);
      expect(["mandatory", "advisory"], rule.name).to.include(rule.enforcementLevel);
    }
  });

  for (const rule of rules) {
    it(`${rule.name}: passes the compliant program and fails the violating one`, () => {
      expect(passing.filter((f) => f.rule === rule.name).map((f) => f.message)).to.deep.equal([]);
      const violations = failing.filter((f) => f.rule === rule.name);
      expect(violations.length, rule.name).to.be.greaterThan(0);
    });
  }

  it("names the resource, the property, the value found and the fix", () => {
    const messages = failing.map((f) => f.message);
    expect(messages).to.include(
      'gcp:cloudrunv2/serviceIamMember:ServiceIamMember "public-invoker": member is "allUsers". ' +
        "Fix: grant roles/run.invoker only to the calling services' and pipelines' service accounts.",
    );
    expect(messages).to.include(
      'gcp:kms/cryptoKey:CryptoKey "bad-key": rotationPeriod is "31536000s". Fix: set rotationPeriod to at most "7776000s" (90 days).',
    );
    expect(messages).to.include(
      'gcp:redis/instance:Instance "bad-redis": region is "europe-west1". Fix: use a location of geography us: ' +
        "us-central1, us-east1, us-east4, us-east5, us-south1, us-west1, us-west2, us-west3, us-west4, nam5, US, us.",
    );
    expect(messages).to.include(
      'gcp:pubsub/subscription:Subscription "bad-dlq-sub": deadLetterPolicy.deadLetterTopic is "projects/avalo-us/topics/elsewhere", ' +
        'which is not a topic named "avalo-match-created-dlq" declared in project "avalo-us". Fix: point it at the pipeline\'s own -dlq topic (Pipeline does this).',
    );
    const secret = failing.find(
      (f) => f.rule === "cloudrun-secrets-from-secret-manager" && f.message.includes("bad-service"),
    );
    expect(secret?.message).to.equal(
      'gcp:cloudrunv2/service:Service "bad-service": template.containers[0].envs[0] (PROVIDER_API_KEY) is "a plain value". ' +
        "Fix: store it in Secret Manager and reference it with valueSource.secretKeyRef.",
    );
    expect(secret?.message).not.to.include("AIza");
  });

  it("checks Cloud Run jobs: own account, no plain credentials, labels, residency, no public runner", () => {
    const about = (name: string) =>
      failing.filter((f) => f.message.includes(`"${name}"`)).map((f) => `${f.rule}: ${f.message}`);
    const job = 'gcp:cloudrunv2/job:Job "bad-job"';
    expect(about("bad-job")).to.have.members([
      `cloudrun-dedicated-service-account: ${job}: template.template.serviceAccount is ` +
        '"123456789012-compute@developer.gserviceaccount.com". ' +
        "Fix: set it to the job's own service account (LoadGenerator creates one).",
      `cloudrun-secrets-from-secret-manager: ${job}: template.template.containers[0].envs[0] (LOAD_API_TOKEN) ` +
        'is "a plain value". Fix: store it in Secret Manager and reference it with valueSource.secretKeyRef.',
      `labels-required: ${job}: labels (missing app, geography, region, env) is not set. ` +
        `Fix: build labels with platformLabels(args, region). (advisory: ${reasonOf("labels-required")})`,
      `data-residency: ${job}: location is "europe-west1". Fix: use a location of geography us: ` +
        "us-central1, us-east1, us-east4, us-east5, us-south1, us-west1, us-west2, us-west3, us-west4, nam5, US, us.",
      `cloudrun-runs-own-bundle: ${job} container 0: runs image "gcr.io/distroless/nodejs22-debian12", which is ` +
        "neither the no-build source deploy nor an image pinned by digest (…@sha256:…). Fix: deploy a bundle archive " +
        "(sourceCode) or a ContainerImage's imageRef.",
    ]);
    expect(about("public-job-runner")).to.deep.equal([
      'cloudrun-no-public-invoker: gcp:cloudrunv2/jobIamMember:JobIamMember "public-job-runner": member is ' +
        "\"allAuthenticatedUsers\". Fix: grant roles/run.invoker only to the calling services' and pipelines' service accounts.",
    ]);
    expect(passing.filter((f) => /"job(-runner)?"/.test(f.message))).to.deep.equal([]);
  });

  it("uses each rule's level, overridable per stack through the policy config", async () => {
    expect(failing.find((f) => f.rule === "cloudrun-internal-ingress")?.level).to.equal(
      "mandatory",
    );
    expect(failing.find((f) => f.rule === "labels-required")?.level).to.equal("advisory");
    const overridden = await evaluate(violatingProgram, {
      ...CONFIG,
      "cloudrun-internal-ingress": "advisory",
      "labels-required": { enforcementLevel: "disabled" },
    });
    expect(overridden.find((f) => f.rule === "cloudrun-internal-ingress")?.level).to.equal(
      "advisory",
    );
    expect(overridden.filter((f) => f.rule === "labels-required")).to.deep.equal([]);
  });
});

describe("finished partial rules and fixed references", () => {
  let passing: Finding[];
  let failing: Finding[];

  before(async () => {
    passing = await evaluate(compliantProgram);
    failing = await evaluate(violatingProgram);
  });

  const messages = (findings: Finding[], rule: string) =>
    findings.filter((f) => f.rule === rule).map((f) => f.message);

  it("no-admin-roles judges a custom role by its permissions: the FCM sender passes, setIamPolicy fails", () => {
    expect(messages(passing, "iam-no-admin-roles")).to.deep.equal([]);
    expect(messages(failing, "iam-no-admin-roles")).to.have.members([
      'gcp:projects/iAMMember:IAMMember "project-editor": role is "roles/editor", an administrative role. ' +
        "Fix: grant a custom role with only the permissions used (see components/fcm-sender-role.ts).",
      'gcp:projects/iAMMember:IAMMember "project-firebasecloudmessaging-admin": role is "roles/firebasecloudmessaging.admin", ' +
        "an administrative role. Fix: grant a custom role with only the permissions used (see components/fcm-sender-role.ts).",
      'gcp:projects/iAMMember:IAMMember "admin-role-grant": role is "projects/avalo-us/roles/avaloTooMuch", ' +
        "a custom role with administrative permissions resourcemanager.projects.setIamPolicy. " +
        "Fix: keep only the permissions the workload calls.",
    ]);
  });

  it("names the hold subscriptions as an exemption of the dead-letter rule, and checks every other subscription", () => {
    const rule = rules.find((r) => r.name === "pubsub-subscription-dead-letter-policy")!;
    expect(rule.meta.exemptions.map((e) => e.what)).to.deep.equal([
      "dead-letter hold subscriptions (<topic>-dlq-hold on <topic>-dlq)",
    ]);
    expect(rule.description).to.include("Exempt: dead-letter hold subscriptions");
    expect(messages(passing, rule.name)).to.deep.equal([]);
    expect(messages(failing, rule.name).map((m) => m.split(": ")[0])).to.deep.equal([
      'gcp:pubsub/subscription:Subscription "bad-sub"',
      'gcp:pubsub/subscription:Subscription "bad-dlq-sub"',
    ]);
  });

  it("limits Pub/Sub and KMS IAM roles, not only public members", () => {
    expect(messages(failing, "pubsub-no-public-iam")).to.include(
      'gcp:pubsub/topicIAMMember:TopicIAMMember "topic-editor": role is "roles/pubsub.editor". ' +
        "Fix: grant roles/pubsub.publisher, roles/pubsub.subscriber or roles/pubsub.viewer (Pipeline.grantPublish).",
    );
    expect(messages(failing, "kms-no-public-iam")).to.include(
      'gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember "key-admin": role is "roles/cloudkms.admin". ' +
        "Fix: grant one of roles/cloudkms.cryptoKeyEncrypterDecrypter, roles/cloudkms.cryptoKeyEncrypter, " +
        "roles/cloudkms.cryptoKeyDecrypter, roles/cloudkms.viewer.",
    );
  });

  it("finds hard-coded secrets in any resource, without printing them", () => {
    const found = messages(failing, "no-hardcoded-secrets");
    expect(found).to.deep.equal([
      'gcp:monitoring/notificationChannel:NotificationChannel "bad-channel": labels.password is "a plain value". ' +
        "Fix: store it in Secret Manager and pass a reference (secretKeyRef, secret version id).",
    ]);
    expect(found.join()).not.to.include("hunter2");
  });

  it("checks every CKV_GCP_49 impersonation role at project level, Token Creator under CKV_GCP_41", () => {
    const impersonation = rules.find((r) => r.name === "iam-no-project-impersonation-roles")!;
    expect(impersonation.meta.checkov).to.deep.equal(["CKV_GCP_49"]);
    const roles = messages(failing, impersonation.name).map(
      (m) => /role is "([^"]+)"/.exec(m)?.[1],
    );
    expect(roles).to.have.members([
      "roles/editor",
      "roles/iam.serviceAccountUser",
      "roles/iam.serviceAccountTokenCreator",
      "roles/iam.workloadIdentityUser",
    ]);
    const tokenCreator = rules.find((r) => r.name === "iam-no-project-token-creator")!;
    expect(tokenCreator.meta.checkov).to.deep.equal(["CKV_GCP_41"]);
    expect(
      rules.find((r) => r.name === "cloudrun-dedicated-service-account")!.meta.checkov,
    ).to.deep.equal([]);
    expect(
      rules.find((r) => r.name === "iam-no-default-service-account-in-project")!.meta.checkov,
    ).to.deep.equal(["CKV_GCP_46"]);
  });

  it("fails a BigQuery table whose deletion protection is unset, as CKV_GCP_121 does", async () => {
    const found = await evaluate(() => [
      new gcp.bigquery.Table("unset", { project: "avalo-us", datasetId: "avalo_us", tableId: "t" }),
    ]);
    expect(messages(found, "bigquery-table-deletion-protection")).to.deep.equal([
      'gcp:bigquery/table:Table "unset": deletionProtection is not set. Fix: set deletionProtection: true.',
    ]);
  });

  it("allows a global KMS key ring for Pub/Sub keys only, in the policy and the preview's constraint check", () => {
    expect(messages(passing, "data-residency")).to.deep.equal([]);
    expect(messages(failing, "data-residency")).to.include(
      'gcp:kms/cryptoKey:CryptoKey "global-redis-key": keyRing is "projects/avalo-us/locations/global/keyRings/avalo-us-global". ' +
        "Fix: only pubsub keys may sit in a global key ring; put this redis key in a ring of the geography.",
    );
    const us = GEOGRAPHIES.us;
    expect(locationsOutside({ location: "global" }, us, "gcp:kms/keyRing:KeyRing")).to.deep.equal(
      [],
    );
    expect(locationsOutside({ location: "global" }, us, "gcp:storage/bucket:Bucket")).to.deep.equal(
      [{ path: "location", value: "global" }],
    );
    expect(locationsOutside({ location: "global" }, us)).to.have.length(1);
  });
});

describe("budget from the stack config", () => {
  it("hands avalo:budgetMonthlyUsd and the geography to the budget rule unless policy config sets one", () => {
    const stack = { "avalo:budgetMonthlyUsd": 25000 };
    expect(withStackBudget({}, stack, "us")).to.deep.equal({
      "monthly-cost-within-budget": { geography: "us", budgetMonthlyUsd: 25000 },
    });
    const own = { "monthly-cost-within-budget": { budgetMonthlyUsd: 10 } };
    expect(withStackBudget(own, stack, "us")).to.deep.equal({
      "monthly-cost-within-budget": { geography: "us", budgetMonthlyUsd: 10 },
    });
    expect(withStackBudget({}, {}, "us")).to.deep.equal({});
  });
});
