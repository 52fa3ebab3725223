import { compare } from "./plan";

/** How a finding affects the preview: mandatory findings fail it (exit 2), advisory ones warn. */
export type FindingLevel = "mandatory" | "advisory";

/** One violation found offline, by a GCP input-constraint check or a policy rule. */
export interface Finding {
  /** Rule id: a constraint check (`gcp-name`, ...) or a policy name. */
  readonly rule: string;
  readonly source: "constraint" | "policy";
  /** What the rule requires, and the control it implements. */
  readonly description: string;
  readonly level: FindingLevel;
  /** URN of the offending resource, "" when the stack as a whole is at fault. */
  readonly urn: string;
  /** Names the resource, the property, the value found and the fix. */
  readonly message: string;
}

/** A rule and its findings, for reports that group by rule. */
export interface FindingGroup {
  readonly rule: string;
  readonly source: Finding["source"];
  readonly level: FindingLevel;
  readonly description: string;
  readonly findings: readonly Finding[];
}

/** Groups findings by rule: mandatory rules first, then by source and rule id. */
export function groupByRule(findings: readonly Finding[]): FindingGroup[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.level === "mandatory" ? 0 : 1}\u0000${f.source}\u0000${f.rule}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.keys()].sort(compare).map((key) => {
    const list = groups.get(key) ?? [];
    const first = list[0];
    return {
      rule: first.rule,
      source: first.source,
      level: first.level,
      description: first.description,
      findings: [...list].sort((a, b) => compare(a.urn + a.message, b.urn + b.message)),
    };
  });
}
