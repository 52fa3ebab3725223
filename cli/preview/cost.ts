import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { diffEstimates, formatCostDiffMarkdown, type CostDiff } from "../../runtime/cost/diff";
import { estimateStack, totalsOf, type StackPlan } from "../../runtime/cost/estimate";
import { formatCostSummary } from "../../runtime/cost/format";
import { costReport, stackCost, type CostReport } from "../../runtime/cost/report";
import type { CostEstimate } from "../../runtime/cost/types";
import { loadUsageModel, type UsageModel } from "../../runtime/cost/usage";
import type { StackOutcome } from "./outcome";

/**
 * The preview's cost section: each stack's plan priced by runtime/cost, fixed costs from the
 * resources' inputs plus usage-driven costs from the stack's usage model (`avalo:usageModel`),
 * and for the pull-request markdown the monthly delta against the --base plans with the top
 * changed lines. The base is priced with the head's usage model, so the delta is the change.
 */

function estimateOf(plan: StackPlan, usage: UsageModel | undefined): CostEstimate | string {
  try {
    return estimateStack(plan, usage);
  } catch (error) {
    return (error as Error).message;
  }
}

/** The outcome's usage model; the worker has already validated the file. */
function usageOf(outcome: StackOutcome): UsageModel | undefined {
  return outcome.usageModel ? loadUsageModel(outcome.usageModel) : undefined;
}

/**
 * A stack's part of the text report's cost section: its per-category summary (computed in the
 * stack's worker, which already holds the plan and the usage model).
 */
export function stackCostText(
  stack: string,
  plan: StackPlan,
  usage: UsageModel | undefined,
): string {
  const estimate = estimateOf(plan, usage);
  if (typeof estimate === "string") return `${stack}: cost not estimated: ${estimate}`;
  const traffic = usage
    ? `usage-driven lines: ${usage.name} (${usage.dailyActiveUsers.toLocaleString("en-US")} daily active users), this stack's share`
    : "no avalo:usageModel set: fixed costs only";
  return `${formatCostSummary(estimate)}\n${traffic}`;
}

function readBasePlan(dir: string, stack: string): StackPlan | undefined {
  const file = join(dir, `${stack}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as StackPlan) : undefined;
}

/** Markdown section: monthly delta per stack against the base plans, with the top changed lines. */
export function renderCostMarkdown(outcomes: readonly StackOutcome[], baseDir?: string): string {
  const diffs: CostDiff[] = [];
  for (const o of outcomes) {
    if (!o.plan) continue;
    const usage = usageOf(o);
    const head = estimateOf(o.plan, usage);
    if (typeof head === "string") continue;
    const basePlan = baseDir ? readBasePlan(baseDir, o.stack) : o.plan;
    const base = basePlan
      ? estimateOf(basePlan, usage)
      : { ...head, lines: [], totals: totalsOf([]) };
    if (typeof base === "string") continue;
    diffs.push(diffEstimates(base, head));
  }
  return diffs.length === 0 ? "" : `\n${formatCostDiffMarkdown(diffs)}`;
}

/**
 * The preview's cost section in the report schema of `avalo cost --format json`: one entry per
 * previewed stack, priced with its own usage model.
 */
export function costReportOf(outcomes: readonly StackOutcome[]): CostReport {
  const stacks = outcomes.flatMap((o) => {
    if (!o.plan) return [];
    const usage = usageOf(o);
    const estimate = estimateOf(o.plan, usage);
    if (typeof estimate === "string") return [];
    return [stackCost(o.stack, o.plan.geography, usage?.name ?? null, estimate)];
  });
  return costReport(stacks);
}
