import { isEmptyDiff, type PlanDiff } from "./diff";
import { groupByRule, type Finding } from "./findings";
import { shortValue, type StackOutcome } from "./outcome";
import { countByType } from "./plan";

/** Renders the terminal report of `avalo preview`: per-stack counts, diffs and grouped findings. */
export function renderText(outcomes: readonly StackOutcome[], planDir: string): string {
  const lines: string[] = [];
  for (const o of outcomes) {
    lines.push(...stackSection(o, planDir), "");
  }
  lines.push(
    ...findingSection(outcomes.flatMap((o) => o.findings.map((f) => ({ ...f, stack: o.stack })))),
  );
  return lines.join("\n") + "\n";
}

/** The cost section: each previewed stack's summary (`costText`, from its worker). */
export function renderCostText(outcomes: readonly StackOutcome[]): string {
  const sections = outcomes.flatMap((o) => (o.plan && o.costText ? [o.costText] : []));
  if (sections.length === 0) return "";
  return `\nMonthly cost (list prices; unknown prices are excluded and counted; \`avalo cost --lines\` lists every line)\n\n${sections.join("\n\n")}\n`;
}

function stackSection(o: StackOutcome, planDir: string): string[] {
  const seconds = `${(o.ms / 1000).toFixed(2)} s`;
  if (o.error) {
    const what = o.error.kind === "config" ? "config error" : "program error";
    return [
      `${o.stack}: ${what} (${seconds})`,
      ...o.error.message.split("\n").map((l) => `  ${l}`),
    ];
  }
  const plan = o.plan!;
  const counts = countByType(plan);
  const width = Math.max(4, ...counts.map((c) => c.type.length));
  return [
    `${o.stack}: project ${plan.project}, geography ${plan.geography || "-"}, ` +
      `${plan.resources.length} resources (${seconds}; program ${((o.programMs ?? 0) / 1000).toFixed(2)} s)`,
    `  ${"TYPE".padEnd(width)}  COUNT`,
    ...counts.map((c) => `  ${c.type.padEnd(width)}  ${String(c.count).padStart(5)}`),
    `  plan: ${planDir}/${o.stack}.json`,
    ...(o.diff ? diffLines(o.diff) : []),
  ];
}

function diffLines(diff: PlanDiff): string[] {
  if (!diff.hasBase)
    return [`  diff: no base plan for ${diff.stack}; all ${diff.added.length} resources are new`];
  if (isEmptyDiff(diff)) return ["  diff: no changes"];
  return [
    `  diff: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed`,
    ...diff.added.map((r) => `    + ${r.type} ${r.name}`),
    ...diff.removed.map((r) => `    - ${r.type} ${r.name}`),
    ...diff.changed.flatMap((c) => [
      `    ~ ${c.type} ${c.name}`,
      ...c.properties.map(
        (p) => `        ${p.path}: ${shortValue(p.before)} → ${shortValue(p.after)}`,
      ),
    ]),
  ];
}

function findingSection(findings: ReadonlyArray<Finding & { stack: string }>): string[] {
  const mandatory = findings.filter((f) => f.level === "mandatory").length;
  const advisory = findings.length - mandatory;
  if (findings.length === 0) return ["No constraint or policy violations."];
  const lines = [`Violations: ${mandatory} mandatory, ${advisory} advisory`];
  for (const group of groupByRule(findings)) {
    lines.push(
      `  [${group.level}] ${group.rule} (${group.source}, ${group.findings.length}): ${group.description}`,
    );
    for (const f of group.findings as ReadonlyArray<Finding & { stack: string }>) {
      lines.push(`    ${f.stack}: ${f.message}`);
    }
  }
  return lines;
}
