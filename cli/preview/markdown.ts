import { OP_MARKER, type ChangeOp } from "../../policies/changes/classify";
import { isEmptyDiff, summarize, summaryLine, type PlanDiff } from "./diff";
import { groupByRule, type Finding } from "./findings";
import { shortValue, type StackOutcome } from "./outcome";
import { unusedEntries } from "./text-report";

/** First line of every preview comment; the comment job finds its own comment by it. */
export const COMMENT_MARKER = "<!-- avalo-offline-preview -->";

/** GitHub rejects comments above 65,536 characters; stay well below. */
const MAX_CHARS = 60_000;
const MAX_PROPERTIES = 20;

/** Renders the preview as markdown for a pull-request comment: summary, diffs, violations. */
export function renderMarkdown(outcomes: readonly StackOutcome[]): string {
  const findings = outcomes.flatMap((o) => o.findings.map((f) => ({ ...f, stack: o.stack })));
  const mandatory = findings.filter((f) => f.level === "mandatory").length;
  const failed = outcomes.filter((o) => o.error).length;
  const verdict =
    failed > 0
      ? `❌ ${failed} stack(s) failed to preview`
      : mandatory > 0
        ? `❌ ${mandatory} mandatory violation(s)`
        : "✅ no mandatory violations";
  const lines = [
    COMMENT_MARKER,
    "## Avalo offline preview",
    "",
    verdict,
    "",
    "| stack | resources | + create | ~ update | +- replace | - delete | mandatory | advisory |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...outcomes.map(summaryRow),
    "",
  ];
  for (const o of outcomes) lines.push(...stackSection(o));
  lines.push(...violationSection(findings));
  const text = lines.join("\n") + "\n";
  return text.length <= MAX_CHARS
    ? text
    : `${text.slice(0, MAX_CHARS)}\n\n… (truncated; the workflow artifact has the full report)\n`;
}

function summaryRow(o: StackOutcome): string {
  if (o.error) return `| ${o.stack} | ${o.error.kind} error | | | | | | |`;
  const s = o.diff ? summarize(o.diff) : undefined;
  const count = (f: Finding["level"]) => o.findings.filter((x) => x.level === f).length;
  const n = (k: "create" | "update" | "replace" | "delete") => (s ? String(s[k]) : "–");
  return `| ${o.stack} | ${o.plan?.resources.length ?? 0} | ${n("create")} | ${n("update")} | ${n("replace")} | ${n("delete")} | ${count("mandatory")} | ${count("advisory")} |`;
}

function code(value: string): string {
  return "`" + value.replace(/`/g, "'").replace(/\|/g, "\\|") + "`";
}

function stackSection(o: StackOutcome): string[] {
  if (o.error) {
    return [
      `### ${o.stack}`,
      "",
      `**${o.error.kind} error**`,
      "",
      "```",
      o.error.message,
      "```",
      "",
    ];
  }
  if (!o.diff) return [];
  return [
    `### ${o.stack}`,
    "",
    ...diffSection(o.diff),
    "",
    ...allowDestroySection(o),
    `\`${summaryLine(o.diff)}\``,
    "",
  ];
}

/** The stack's `avalo:allowDestroy` entries and what they let through, for the reviewer. */
function allowDestroySection(o: StackOutcome): string[] {
  const entries = o.allowDestroy ?? [];
  if (entries.length === 0) return [];
  return [
    `**⚠️ \`avalo:allowDestroy\` in \`Pulumi.${o.stack}.yaml\`:** ${entries.map(code).join(", ")}`,
    "",
    ...(o.allowedDestroys ?? []).map(
      (d) =>
        `- allows ${marker(d.op)} ${code(d.type)} ${code(d.name)} (entry ${code(d.allowedBy ?? "")})`,
    ),
    ...(o.diff?.hasBase ? unusedEntries(o) : []).map(
      (e) =>
        `- ${code(e)} allows nothing in this change: remove it so that no later change can use it`,
    ),
    "",
  ];
}

const OP_WORD: Readonly<Record<ChangeOp, string>> = {
  create: "create",
  update: "update",
  replace: "replace",
  delete: "delete",
};

function marker(op: ChangeOp): string {
  return `\`${OP_MARKER[op]}\` ${OP_WORD[op]}`;
}

function diffSection(diff: PlanDiff): string[] {
  if (!diff.hasBase) return [`No base plan: all ${diff.added.length} resources are new.`];
  if (isEmptyDiff(diff)) return ["No changes."];
  const changes = [...diff.changed].sort(
    (a, b) => Number(b.op === "replace") - Number(a.op === "replace"),
  );
  const rows = [
    ...diff.removed.map((r) => `| ${marker("delete")} | ${code(r.type)} | ${code(r.name)} | |`),
    ...changes.map((c) => {
      const shown = c.properties
        .slice(0, MAX_PROPERTIES)
        .map(
          (p) =>
            `${code(p.path)}: ${code(shortValue(p.before, 60))} → ${code(shortValue(p.after, 60))}` +
            (c.forcedBy.includes(p.path) ? " **(forces replacement)**" : ""),
        );
      const more = c.properties.length - shown.length;
      const note = c.replacementUnknown ? ["_replacement unknown_"] : [];
      return `| ${marker(c.op)} | ${code(c.type)} | ${code(c.name)} | ${[...note, ...shown, ...(more > 0 ? [`… ${more} more`] : [])].join("<br>")} |`;
    }),
    ...diff.added.map((r) => `| ${marker("create")} | ${code(r.type)} | ${code(r.name)} | |`),
  ];
  return [
    `<details open><summary>${summaryLine(diff)}</summary>`,
    "",
    "| change | type | name | properties |",
    "|---|---|---|---|",
    ...rows,
    "",
    "</details>",
  ];
}

function violationSection(findings: ReadonlyArray<Finding & { stack: string }>): string[] {
  if (findings.length === 0) return ["### Violations", "", "None."];
  const lines = ["### Violations", ""];
  for (const group of groupByRule(findings)) {
    lines.push(
      `#### ${group.level === "mandatory" ? "⛔ mandatory" : "⚠️ advisory"}: ${code(group.rule)} (${group.findings.length})`,
      "",
      `${group.description}`,
      "",
      ...(group.findings as ReadonlyArray<Finding & { stack: string }>).map(
        (f) => `- **${f.stack}**: ${f.message.replace(/\n/g, " ")}`,
      ),
      "",
    );
  }
  return lines;
}
