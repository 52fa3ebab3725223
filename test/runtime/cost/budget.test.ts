import type { StackValidationArgs } from "@pulumi/policy";
import { expect } from "chai";
import { exitCode } from "../../../cli/preview/outcome";
import { evaluatePolicies } from "../../../cli/preview/policies";
import { budgetRules, budgetViolation } from "../../../policies/rules/budget";
import type { PlannedResource } from "../../../runtime/cost/types";

const cache = (gb: number): PlannedResource => ({
  type: "gcp:redis/instance:Instance",
  name: "cache",
  inputs: { memorySizeGb: gb, tier: "BASIC", region: "us-central1" },
});

/** Runs the budget policy offline the way the evaluator does: resources plus the stack's config. */
function evaluate(
  resources: readonly PlannedResource[],
  config: Record<string, unknown>,
): string[] {
  const violations: string[] = [];
  const args = {
    resources: resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs, urn: r.name })),
    getConfig: () => config,
  } as unknown as StackValidationArgs;
  const policy = budgetRules[0];
  expect(policy.enforcementLevel).to.equal("mandatory");
  policy.validateStack?.(args, (message: string) => violations.push(message));
  return violations;
}

describe("budget policy", () => {
  it("passes a stack whose estimate is within its budget", () => {
    // 4 GB BASIC: 2,920 GB-h × $0.049 = $143.08 ≤ $150.
    expect(
      budgetViolation({ resources: [cache(4)], geography: "us", budgetMonthlyUsd: 150 }),
    ).to.equal(undefined);
  });

  it("fails a stack over budget, naming the amounts, the largest line and the config key", () => {
    expect(
      budgetViolation({ resources: [cache(4)], geography: "us", budgetMonthlyUsd: 100 }),
    ).to.equal(
      "estimated monthly cost $143.08 exceeds the budget $100.00 (avalo:budgetMonthlyUsd) by $43.08; " +
        "largest lines: cache: 4 GB BASIC (M1) × 730 h $143.08. Fix: reduce the largest lines or raise avalo:budgetMonthlyUsd.",
    );
  });

  it("runs as a mandatory stack policy with the threshold from each stack's config", () => {
    expect(evaluate([cache(4)], { geography: "us", budgetMonthlyUsd: 100 })).to.have.length(1);
    expect(evaluate([cache(4)], { geography: "us", budgetMonthlyUsd: 200 })).to.deep.equal([]);
    expect(evaluate([cache(4)], { geography: "us" })).to.deep.equal([]);
  });

  it("adds the traffic of a usage file when the config names one", () => {
    const violations = evaluate([], {
      geography: "us",
      budgetMonthlyUsd: 1000,
      budgetUsageFile: "usage/1m.yaml",
    });
    expect(violations).to.have.length(1);
    expect(violations[0]).to.match(
      /^estimated monthly cost \$[\d,]+\.\d\d exceeds the budget \$1,000\.00/,
    );
  });

  it("fails the offline preview's policy evaluation (exit 2) with the budget rule named", async () => {
    const resources = [
      cache(4),
      { type: "avalo:platform:Cache", name: "c", inputs: {}, custom: false },
    ].map((r) => ({
      urn: `urn:pulumi:us-east::avalo::${r.type}::${r.name}`,
      type: r.type,
      name: r.name,
      custom: r.custom ?? true,
      parent: "",
      inputs: r.inputs,
      dependencies: [],
      propertyDependencies: {},
    }));
    const config = { "monthly-cost-within-budget": { geography: "us", budgetMonthlyUsd: 100 } };
    const findings = await evaluatePolicies(resources, config, new Map(), budgetRules);
    expect(findings.map((f) => [f.rule, f.level])).to.deep.equal([
      ["monthly-cost-within-budget", "mandatory"],
    ]);
    expect(findings[0].message).to.contain(
      "estimated monthly cost $143.08 exceeds the budget $100.00",
    );
    expect(exitCode([{ stack: "us-east", findings, ms: 0 }])).to.equal(2);
  });
});
