import type { PolicyPackConfig } from "@pulumi/policy";
import { expect } from "chai";
import { evaluatePolicies, withStackBudget } from "../../cli/preview/policies";
import type { Finding } from "../../cli/preview/findings";
import { rules } from "../../policies/rules";
import { STATEFUL_RULE } from "../../policies/rules/stateful";
import { runOffline } from "../../stacks/offline/mocks";
import { compliantProgram, violatingProgram } from "./fixtures";

/** The us-east stack's settings, as in policies/config/us-east.json, with a $100 budget. */
const CONFIG: PolicyPackConfig = Object.fromEntries(
  rules.map((r) => [r.name, { geography: "us", environment: "prod", budgetMonthlyUsd: 100 }]),
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

  it("has at least 25 rules, each naming its control and its enforcement level", () => {
    expect(rules.length).to.be.at.least(25);
    expect(new Set(rules.map((r) => r.name)).size).to.equal(rules.length);
    for (const rule of rules) {
      expect(rule.description, rule.name).to.match(/^\[(CKV2?_GCP_\d+|Avalo)[^\]]*\] \S/);
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
        "Fix: build labels with platformLabels(args, region).",
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
