import { isEmptyDiff, type PlanDiff } from "./diff";
import { groupByRule, type Finding } from "./findings";
import { shortValue, type StackOutcome } from "./outcome";

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
    "| stack | resources | added | changed | removed | mandatory | advisory |",
    "|---|---:|---:|---:|---:|---:|---:|",
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
  if (o.error) return `| ${o.stack} | ${o.error.kind} error | | | | | |`;
  const d = o.diff;
  const count = (f: Finding["level"]) => o.findings.filter((x) => x.level === f).length;
  const n = (list: readonly unknown[] | undefined) => (d ? String(list?.length ?? 0) : "–");
  return `| ${o.stack} | ${o.plan?.resources.length ?? 0} | ${n(d?.added)} | ${n(d?.changed)} | ${n(d?.removed)} | ${count("mandatory")} | ${count("advisory")} |`;
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
  return [`### ${o.stack}`, "", ...diffSection(o.diff), ""];
}

function diffSection(diff: PlanDiff): string[] {
  if (!diff.hasBase) return [`No base plan: all ${diff.added.length} resources are new.`];
  if (isEmptyDiff(diff)) return ["No changes."];
  const rows = [
    ...diff.added.map((r) => `| ➕ added | ${code(r.type)} | ${code(r.name)} | |`),
    ...diff.removed.map((r) => `| ➖ removed | ${code(r.type)} | ${code(r.name)} | |`),
    ...diff.changed.map((c) => {
      const shown = c.properties
        .slice(0, MAX_PROPERTIES)
        .map(
          (p) =>
            `${code(p.path)}: ${code(shortValue(p.before, 60))} → ${code(shortValue(p.after, 60))}`,
        );
      const more = c.properties.length - shown.length;
      return `| ✏️ changed | ${code(c.type)} | ${code(c.name)} | ${[...shown, ...(more > 0 ? [`… ${more} more`] : [])].join("<br>")} |`;
    }),
  ];
  return [
    `<details open><summary>${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed</summary>`,
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
