import { estimatePlan } from "../../runtime/cost/estimate";
import { formatUsd } from "../../runtime/cost/format";
import type { CostEstimate, PlannedResource } from "../../runtime/cost/types";
import { loadUsageModel, type UsageModel } from "../../runtime/cost/usage";
import { GEOGRAPHY_IDS, type GeographyId } from "../../runtime/topology";
import { stackRule, type AvaloStackPolicy, type RuleConfig } from "./define";

/** Policy config the budget rule reads, besides the geography. */
export interface BudgetConfig extends RuleConfig {
  /** The stack's monthly budget in US dollars (stack config `avalo:budgetMonthlyUsd`). */
  readonly budgetMonthlyUsd?: number;
  /** A usage file (`usage/20m.yaml`) whose traffic is added to the plan's fixed costs. */
  readonly budgetUsageFile?: string;
}

/** What the budget check needs: the stack's resources, geography, budget and optional traffic. */
export interface BudgetInput {
  readonly resources: readonly PlannedResource[];
  readonly geography: GeographyId;
  readonly budgetMonthlyUsd: number;
  readonly usage?: UsageModel;
  readonly label?: string;
}

/**
 * The violation message when the estimated monthly cost exceeds the budget, else undefined.
 * Lines with an unknown price are not counted, and the message says how many there are.
 */
export function budgetViolation(input: BudgetInput): string | undefined {
  const estimate: CostEstimate = estimatePlan(input.resources, {
    geography: input.geography,
    usage: input.usage,
    label: input.label,
  });
  const total = estimate.totals.totalUsd;
  if (total <= input.budgetMonthlyUsd) return undefined;
  const top = [...estimate.lines]
    .filter((l) => (l.monthlyUsd ?? 0) > 0)
    .sort((a, b) => (b.monthlyUsd ?? 0) - (a.monthlyUsd ?? 0))
    .slice(0, 3)
    .map((l) => `${l.description} ${formatUsd(l.monthlyUsd ?? 0)}`);
  const excluded = estimate.totals.excludedLines;
  return (
    `estimated monthly cost ${formatUsd(total)} exceeds the budget ${formatUsd(input.budgetMonthlyUsd)} ` +
    `(avalo:budgetMonthlyUsd) by ${formatUsd(total - input.budgetMonthlyUsd)}; largest lines: ${top.join("; ")}` +
    (excluded > 0 ? `; ${excluded} lines with unknown or no price are not counted` : "") +
    ". Fix: reduce the largest lines or raise avalo:budgetMonthlyUsd."
  );
}

/** Type prefixes of components and the stack itself, which cost nothing of their own. */
const COMPONENT_PACKAGES = ["avalo:", "pulumi:"];

/** The budget stack policy: mandatory, threshold per stack from config. */
export const budgetRules: AvaloStackPolicy[] = [
  stackRule({
    name: "monthly-cost-within-budget",
    requirement:
      "The stack's estimated monthly cost (runtime/cost) stays within its budget (avalo:budgetMonthlyUsd).",
    enforcementLevel: "mandatory",
    check: (args, report, config) => {
      const budget = config as BudgetConfig;
      if (typeof budget.budgetMonthlyUsd !== "number") return;
      if (!GEOGRAPHY_IDS.includes(budget.geography as GeographyId)) {
        report(
          `cannot estimate the cost: policy config geography is ${JSON.stringify(budget.geography)}; allowed: ${GEOGRAPHY_IDS.join(", ")}`,
        );
        return;
      }
      const message = budgetViolation({
        resources: args.resources
          .filter((r) => !COMPONENT_PACKAGES.some((p) => r.type.startsWith(p)))
          .map((r) => ({ type: r.type, name: r.name, inputs: r.props })),
        geography: budget.geography as GeographyId,
        budgetMonthlyUsd: budget.budgetMonthlyUsd,
        usage: budget.budgetUsageFile ? loadUsageModel(budget.budgetUsageFile) : undefined,
      });
      if (message) report(message);
    },
  }),
];
