import { OP_MARKER } from "../../policies/changes/classify";
import { isEmptyDiff, summaryLine, type PlanDiff, type ResourceChange } from "./diff";
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
    ...allowDestroyLines(o),
    ...(o.diff ? [`  ${summaryLine(o.diff)}`] : []),
  ];
}

/** The stack's `avalo:allowDestroy` entries, and the destroys each one lets through. */
function allowDestroyLines(o: StackOutcome): string[] {
  const entries = o.allowDestroy ?? [];
  if (entries.length === 0) return [];
  return [
    `  avalo:allowDestroy (from Pulumi.${o.stack}.yaml): ${entries.map((e) => JSON.stringify(e)).join(", ")}`,
    ...(o.allowedDestroys ?? []).map(
      (d) =>
        `    allows: ${OP_MARKER[d.op]} ${d.type} ${d.name} (entry ${JSON.stringify(d.allowedBy)})`,
    ),
    ...(o.diff?.hasBase ? unusedEntries(o) : []).map(
      (e) =>
        `    unused: ${JSON.stringify(e)} allows nothing in this change; remove it so that no later change can use it`,
    ),
  ];
}

/** `avalo:allowDestroy` entries that let no replacement or delete of this diff through. */
export function unusedEntries(o: StackOutcome): string[] {
  const used = new Set((o.allowedDestroys ?? []).map((d) => d.allowedBy));
  return (o.allowDestroy ?? []).filter((e) => !used.has(e));
}

/** The heading line of a changed resource: marker, type, name, and why it is replaced. */
function changeHeading(c: ResourceChange): string {
  const why =
    c.op === "replace"
      ? ` (replace: ${c.forcedBy.join(", ")} forces a new resource)`
      : c.replacementUnknown
        ? " (replacement unknown: the type's forcing inputs are not established)"
        : "";
  return `${OP_MARKER[c.op]} ${c.type} ${c.name}${why}`;
}

function diffLines(diff: PlanDiff): string[] {
  if (!diff.hasBase)
    return [`  diff: no base plan for ${diff.stack}; all ${diff.added.length} resources are new`];
  if (isEmptyDiff(diff)) return ["  diff: no changes"];
  const replaced = diff.changed.filter((c) => c.op === "replace");
  const updated = diff.changed.filter((c) => c.op === "update");
  return [
    "  diff:",
    ...diff.removed.map((r) => `    ${OP_MARKER.delete} ${r.type} ${r.name}`),
    ...[...replaced, ...updated].flatMap((c) => [
      `    ${changeHeading(c)}`,
      ...c.properties.map(
        (p) =>
          `        ${p.path}: ${shortValue(p.before)} → ${shortValue(p.after)}` +
          (c.forcedBy.includes(p.path) ? " (forces replacement)" : ""),
      ),
    ]),
    ...diff.added.map((r) => `    ${OP_MARKER.create} ${r.type} ${r.name}`),
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
