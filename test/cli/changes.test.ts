import * as gcp from "@pulumi/gcp";
import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Plan, PlanResource } from "../../plan/record";
import { diffPlans, summarize, summaryLine } from "../../cli/preview/diff";
import { renderMarkdown } from "../../cli/preview/markdown";
import { exitCode, type StackOutcome } from "../../cli/preview/outcome";
import { buildPlan } from "../../cli/preview/plan";
import { evaluatePolicies, withStatefulGuard } from "../../cli/preview/policies";
import { renderText } from "../../cli/preview/text-report";
import { REPLACEMENT } from "../../policies/changes/replacement";
import { STATEFUL_TYPES } from "../../policies/changes/stateful";
import { rules } from "../../policies/rules";
import { STATEFUL_RULE, statefulDestroys } from "../../policies/rules/stateful";
import { runOffline } from "../../stacks/offline/mocks";
import { NO_OPTIONS, planOf, resource } from "./plan-builder";

const REDIS = "gcp:redis/instance:Instance";
const DATASET = "gcp:bigquery/dataset:Dataset";
const FIRESTORE = "gcp:firestore/database:Database";
const TOPIC = "gcp:pubsub/topic:Topic";
const KEY = "gcp:kms/cryptoKey:CryptoKey";

const redis = (inputs: Record<string, unknown>, more: Partial<PlanResource> = {}) =>
  resource(
    REDIS,
    "us-cache-us-east",
    { name: "avalo-us-east", region: "us-east1", memorySizeGb: 5, tier: "BASIC", ...inputs },
    more,
  );
const dataset = (location: string) =>
  resource(DATASET, "us-analytics", { datasetId: "avalo_analytics", location });
const firestore = (locationId: string) =>
  resource(FIRESTORE, "us-firestore", { name: "(default)", locationId, type: "FIRESTORE_NATIVE" });

/** Base and head plans whose Redis tier, dataset location and Firestore location change. */
const BASE = planOf([redis({}), dataset("US"), firestore("nam5")]);
const HEAD = planOf([redis({ tier: "STANDARD_HA" }), dataset("EU"), firestore("eur3")]);

/** The outcome `avalo preview --base` reports for a stack: diff, findings, allowDestroy entries. */
async function outcomeOf(
  base: Plan,
  head: Plan,
  allowDestroy: string[] = [],
): Promise<StackOutcome> {
  const stackConfig = allowDestroy.length > 0 ? { "avalo:allowDestroy": allowDestroy } : {};
  const findings = await evaluatePolicies(
    head.resources,
    withStatefulGuard({}, stackConfig, base),
    new Map(),
    rules.filter((r) => r.name === STATEFUL_RULE),
  );
  return {
    stack: head.stack,
    plan: head,
    diff: diffPlans(base, head),
    findings,
    ms: 0,
    allowDestroy,
    allowedDestroys: statefulDestroys(base.resources, head.resources, allowDestroy).filter(
      (d) => d.allowedBy,
    ),
  };
}

describe("preview diff: replacements, deletes and the stateful-destroy guard", () => {
  it("marks a Redis tier, a dataset location and a Firestore locationId change as replacements naming the input", () => {
    const diff = diffPlans(BASE, HEAD);
    expect(diff.changed.map((c) => [c.name, c.op, c.forcedBy])).to.deep.equal([
      ["us-cache-us-east", "replace", ["tier"]],
      ["us-analytics", "replace", ["location"]],
      ["us-firestore", "replace", ["locationId"]],
    ]);
    const text = renderText([{ stack: "us-east", plan: HEAD, diff, findings: [], ms: 0 }], "out");
    expect(text).to.include(
      "    +- gcp:redis/instance:Instance us-cache-us-east (replace: tier forces a new resource)\n" +
        '        tier: "BASIC" → "STANDARD_HA" (forces replacement)\n',
    );
    expect(text).to.include(
      "    +- gcp:bigquery/dataset:Dataset us-analytics (replace: location forces a new resource)",
    );
    expect(text).to.include(
      "    +- gcp:firestore/database:Database us-firestore (replace: locationId forces a new resource)",
    );
    const markdown = renderMarkdown([{ stack: "us-east", plan: HEAD, diff, findings: [], ms: 0 }]);
    expect(markdown).to.include(
      '| `+-` replace | `gcp:redis/instance:Instance` | `us-cache-us-east` | `tier`: `"BASIC"` → `"STANDARD_HA"` **(forces replacement)** |',
    );
    expect(markdown).to.include("| us-east | 3 | 0 | 0 | 3 | 0 | 0 | 0 |");
  });

  it("fails the guard (exit 2) naming each replaced stateful resource, the input and the data at risk", async () => {
    const outcome = await outcomeOf(BASE, HEAD);
    expect(outcome.findings.map((f) => [f.rule, f.level, f.urn])).to.deep.equal(
      HEAD.resources.map((r) => [STATEFUL_RULE, "mandatory", r.urn]),
    );
    expect(outcome.findings[0].message).to.equal(
      'gcp:redis/instance:Instance "us-cache-us-east" (Memorystore instance) would be replaced: ' +
        'tier "BASIC" → "STANDARD_HA" forces a new resource; data at risk: every cached key: sessions, ' +
        "hot counters not yet flushed, rate-limit state. Fix: revert the change, or, if losing the data is " +
        'intended, add "us-cache-us-east" (or its URN) to avalo:allowDestroy in Pulumi.<stack>.yaml in a reviewed change.',
    );
    expect(outcome.findings[1].message).to.match(
      /^gcp:bigquery\/dataset:Dataset "us-analytics" \(BigQuery dataset\) would be replaced: location "US" → "EU"/,
    );
    expect(outcome.findings[2].message).to.match(
      /^gcp:firestore\/database:Database "us-firestore" \(Firestore database\) would be replaced: locationId "nam5" → "eur3"/,
    );
    expect(exitCode([outcome])).to.equal(2);
  });

  it("lets the same change through with avalo:allowDestroy entries (name or URN), and shows them", async () => {
    const entries = ["us-cache-us-east", HEAD.resources[1].urn, "us-firestore"];
    const outcome = await outcomeOf(BASE, HEAD, entries);
    expect(outcome.findings).to.deep.equal([]);
    expect(exitCode([outcome])).to.equal(0);
    const markdown = renderMarkdown([outcome]);
    expect(markdown).to.include(
      `**⚠️ \`avalo:allowDestroy\` in \`Pulumi.us-east.yaml\`:** \`us-cache-us-east\`, \`${HEAD.resources[1].urn}\`, \`us-firestore\``,
    );
    expect(markdown).to.include(
      "- allows `+-` replace `gcp:redis/instance:Instance` `us-cache-us-east` (entry `us-cache-us-east`)",
    );
    const text = renderText([outcome], "out");
    expect(text).to.include(
      `  avalo:allowDestroy (from Pulumi.us-east.yaml): "us-cache-us-east", "${HEAD.resources[1].urn}", "us-firestore"\n` +
        '    allows: +- gcp:redis/instance:Instance us-cache-us-east (entry "us-cache-us-east")\n',
    );
  });

  it("flags an avalo:allowDestroy entry that allows nothing in the change", async () => {
    const entries = ["us-cache-us-east", "us-analytics", "us-firestore", "old-bucket"];
    const outcome = await outcomeOf(BASE, HEAD, entries);
    expect(renderText([outcome], "out")).to.include(
      '    unused: "old-bucket" allows nothing in this change; remove it so that no later change can use it\n',
    );
    expect(renderMarkdown([outcome])).to.include(
      "- `old-bucket` allows nothing in this change: remove it so that no later change can use it",
    );
  });

  it("keeps a protected resource blocked even when avalo:allowDestroy names it", async () => {
    const base = planOf([redis({}, { options: { ...NO_OPTIONS, protect: true } })]);
    const head = planOf([
      redis({ tier: "STANDARD_HA" }, { options: { ...NO_OPTIONS, protect: true } }),
    ]);
    const outcome = await outcomeOf(base, head, ["us-cache-us-east"]);
    expect(outcome.findings).to.have.length(1);
    expect(outcome.findings[0].message).to.include(
      "Fix: it is protected (protect: true), so avalo:allowDestroy does not apply",
    );
    expect(outcome.allowedDestroys).to.deep.equal([]);
  });

  it("fails the guard when a stateful resource is deleted, and not when it is retained on delete", async () => {
    const topic = resource(TOPIC, "us-user-created", { name: "avalo-user-created" });
    const deleted = await outcomeOf(planOf([topic]), planOf([]));
    expect(deleted.diff?.removed.map((r) => r.name)).to.deep.equal(["us-user-created"]);
    expect(deleted.findings.map((f) => f.message)).to.deep.equal([
      'gcp:pubsub/topic:Topic "us-user-created" (Pub/Sub topic) would be deleted (it is gone from the program); ' +
        "data at risk: retained messages, and its subscriptions are detached. Fix: revert the change, or, if losing " +
        'the data is intended, add "us-user-created" (or its URN) to avalo:allowDestroy in Pulumi.<stack>.yaml in a reviewed change.',
    ]);
    const retained = { ...topic, options: { ...NO_OPTIONS, retainOnDelete: true } };
    expect((await outcomeOf(planOf([retained]), planOf([]))).findings).to.deep.equal([]);
  });

  it("shows a non-forcing change (Redis memorySizeGb) as an update that passes the guard", async () => {
    const outcome = await outcomeOf(planOf([redis({})]), planOf([redis({ memorySizeGb: 10 })]));
    expect(outcome.diff?.changed.map((c) => [c.op, c.forcedBy])).to.deep.equal([["update", []]]);
    expect(outcome.findings).to.deep.equal([]);
    expect(renderText([outcome], "out")).to.include(
      "    ~ gcp:redis/instance:Instance us-cache-us-east\n        memorySizeGb: 5 → 10\n",
    );
  });

  it("prints Pulumi's summary line with counts that match the diff", () => {
    const keep = resource(TOPIC, "keep", { name: "keep" });
    const keep2 = resource(TOPIC, "keep2", { name: "keep2" });
    const gone = resource(TOPIC, "gone", { name: "gone" });
    const label = (v: string) => resource(TOPIC, `label-${v.length}`, { name: "t", labels: { v } });
    const base = planOf([keep, keep2, gone, redis({}), label("a"), label("bb")]);
    const head = planOf([
      keep,
      keep2,
      resource(TOPIC, "new", { name: "new" }),
      redis({ tier: "STANDARD_HA" }),
      label("x"),
      label("yy"),
    ]);
    const diff = diffPlans(base, head);
    expect(summarize(diff)).to.deep.equal({
      create: diff.added.length,
      update: diff.changed.filter((c) => c.op === "update").length,
      replace: diff.changed.filter((c) => c.op === "replace").length,
      delete: diff.removed.length,
      unchanged: 2,
    });
    expect(summaryLine(diff)).to.equal(
      "Resources: + 1 to create, ~ 2 to update, +- 1 to replace, - 1 to delete, 2 unchanged",
    );
    const text = renderText([{ stack: "us-east", plan: head, diff, findings: [], ms: 0 }], "out");
    expect(text).to.include(`  ${summaryLine(diff)}\n`);
    expect(text.indexOf("    - gcp:pubsub/topic:Topic gone")).to.be.lessThan(
      text.indexOf("    +- gcp:redis/instance:Instance"),
    );
  });

  it("reports a change of a type without an established list as 'replacement unknown', never as a replacement", () => {
    const type = "gcp:projects/serviceIdentity:ServiceIdentity";
    expect(REPLACEMENT[type]).to.equal(undefined);
    const diff = diffPlans(
      planOf([resource(type, "agent", { service: "pubsub.googleapis.com" })]),
      planOf([resource(type, "agent", { service: "run.googleapis.com" })]),
    );
    expect(diff.changed.map((c) => [c.op, c.replacementUnknown])).to.deep.equal([["update", true]]);
    const text = renderText(
      [{ stack: "us-east", plan: planOf([]), diff, findings: [], ms: 0 }],
      "o",
    );
    expect(text).to.include(
      "    ~ gcp:projects/serviceIdentity:ServiceIdentity agent (replacement unknown: the type's forcing inputs are not established)",
    );
  });

  it("forces replacement on a replaceOnChanges path and ignores ignoreChanges paths", () => {
    const opts = { ...NO_OPTIONS, replaceOnChanges: ["memorySizeGb"], ignoreChanges: ["tier"] };
    const diff = diffPlans(
      planOf([redis({}, { options: opts })]),
      planOf([redis({ memorySizeGb: 6, tier: "STANDARD_HA" }, { options: opts })]),
    );
    expect(diff.changed.map((c) => [c.op, c.forcedBy])).to.deep.equal([
      ["replace", ["memorySizeGb"]],
    ]);
  });

  it("establishes the forcing inputs of every stateful type, each list with its source", () => {
    for (const type of Object.keys(STATEFUL_TYPES)) {
      expect(REPLACEMENT[type], type).to.not.equal(undefined);
    }
    for (const [type, rule] of Object.entries(REPLACEMENT)) {
      expect(rule.source, type).to.match(/terraform-provider-google google\//);
      expect(rule.forces.length, type).to.be.greaterThan(0);
    }
  });
});

describe("preview plans: resource options", () => {
  it("records protect, ignoreChanges, retainOnDelete, deleteBeforeReplace, replaceOnChanges and deletedWith", async () => {
    const { resources } = await runOffline({ project: "avalo", stack: "us-east" }, () => {
      const ring = new gcp.kms.KeyRing("ring", { name: "ring", location: "us-east1" });
      new gcp.kms.CryptoKey(
        "key",
        { name: "key", keyRing: ring.id, rotationPeriod: "7776000s" },
        {
          protect: true,
          ignoreChanges: ["labels", "rotationPeriod"],
          retainOnDelete: true,
          deleteBeforeReplace: true,
          replaceOnChanges: ["purpose"],
          deletedWith: ring,
        },
      );
      return ring;
    });
    const plan = buildPlan(resources, {
      project: "avalo",
      stack: "us-east",
      geography: "",
      roots: [],
    });
    const ring = plan.resources.find((r) => r.name === "ring")!;
    const key = plan.resources.find((r) => r.name === "key")!;
    expect(ring.options).to.deep.equal(NO_OPTIONS);
    expect(key.options).to.deep.equal({
      protect: true,
      ignoreChanges: ["labels", "rotationPeriod"],
      retainOnDelete: true,
      deleteBeforeReplace: true,
      replaceOnChanges: ["purpose"],
      deletedWith: ring.urn,
      // The provider SDK marks these CryptoKey outputs secret itself.
      additionalSecretOutputs: ["effectiveLabels", "pulumiLabels"],
    });
  });

  it("shows protect turned off on a KMS key in the diff, and the protection rule fails", async () => {
    const key = (protect: boolean) =>
      resource(
        KEY,
        "us-kms-pubsub",
        { name: "pubsub", keyRing: "ring", rotationPeriod: "7776000s", deletionPolicy: "PREVENT" },
        { options: { ...NO_OPTIONS, protect } },
      );
    const head = planOf([key(false)]);
    const diff = diffPlans(planOf([key(true)]), head);
    expect(diff.changed.map((c) => [c.op, c.properties])).to.deep.equal([
      ["update", [{ path: "(options).protect", before: true, after: false }]],
    ]);
    const text = renderText([{ stack: "us-east", plan: head, diff, findings: [], ms: 0 }], "out");
    expect(text).to.include("        (options).protect: true → false\n");
    const findings = await evaluatePolicies(head.resources, {});
    expect(findings.filter((f) => f.rule === "kms-key-protected").map((f) => f.urn)).to.deep.equal([
      head.resources[0].urn,
    ]);
    expect(
      (await evaluatePolicies(planOf([key(true)]).resources, {})).filter(
        (f) => f.rule === "kms-key-protected",
      ),
    ).to.deep.equal([]);
  });
});

describe("stateful-destroy policy under `pulumi preview --policy-pack`", () => {
  it("reads the base plan and avalo:allowDestroy from the files its policy config names", async () => {
    const dir = mkdtempSync(join(tmpdir(), "avalo-guard-"));
    const basePlanFile = join(dir, "us-east.json");
    const stackConfigFile = join(dir, "Pulumi.us-east.yaml");
    writeFileSync(basePlanFile, JSON.stringify(BASE));
    const only = rules.filter((r) => r.name === STATEFUL_RULE);
    const evaluate = (allow: string[]) => {
      writeFileSync(stackConfigFile, stringify({ config: { "avalo:allowDestroy": allow } }));
      return evaluatePolicies(
        HEAD.resources,
        { [STATEFUL_RULE]: { basePlanFile, stackConfigFile } },
        new Map(),
        only,
      );
    };
    expect((await evaluate([])).map((f) => f.urn)).to.deep.equal(HEAD.resources.map((r) => r.urn));
    expect(await evaluate(["us-cache-us-east", "us-analytics", "us-firestore"])).to.deep.equal([]);
  });

  it("compares with the deployed state from `pulumi stack export` (outputs, protect)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "avalo-guard-"));
    const baseStateFile = join(dir, "state.json");
    const state = {
      version: 3,
      deployment: {
        resources: BASE.resources.map((r, i) => ({
          urn: r.urn,
          custom: true,
          type: r.type,
          inputs: r.inputs,
          outputs: { ...r.inputs, id: `id-${i}` },
          ...(i === 0 ? { protect: true } : {}),
        })),
      },
    };
    writeFileSync(baseStateFile, JSON.stringify(state));
    const findings = await evaluatePolicies(
      HEAD.resources.map((r, i) => ({ ...r, inputs: { ...r.inputs, id: `id-${i}` } })),
      {
        [STATEFUL_RULE]: {
          baseStateFile,
          allowDestroy: ["us-cache-us-east", "us-analytics"],
        },
      },
      new Map(),
      rules.filter((r) => r.name === STATEFUL_RULE),
    );
    // The Redis instance is protected in the state, so its allowDestroy entry does not apply.
    expect(findings.map((f) => f.urn)).to.deep.equal([
      HEAD.resources[0].urn,
      HEAD.resources[2].urn,
    ]);
    expect(findings[0].message).to.include("it is protected (protect: true)");
  });
});
