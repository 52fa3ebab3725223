import type { Plan, PlanResource } from "../../plan/record";

/**
 * Builds the offline plan of one stack from the resources recorded under the mock runtime, in a
 * form that is byte-identical across runs with the same sources (sorted keys, resources sorted by
 * URN, no timestamps, no absolute paths). Written to `out/plan/<stack>.json` and diffed against a
 * base.
 */

/** Where the plan came from; absolute prefixes are rewritten so plans do not depend on paths. */
export interface PlanSource {
  readonly project: string;
  readonly stack: string;
  readonly geography: string;
  /** Absolute directories to rewrite to `.` (repository root, working directory). */
  readonly roots: readonly string[];
}

const ASSET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const ASSET_KINDS: Readonly<Record<string, string>> = {
  c44067f5952c0a294b673a41bacd8c17: "asset",
  "0def7320c3a5731c473e5ecbe6d01bc7": "archive",
};

/** Builds the plan of a stack from the resources recorded under the mock runtime. */
export function buildPlan(recorded: readonly PlanResource[], source: PlanSource): Plan {
  const roots = [...new Set(source.roots)].sort((a, b) => b.length - a.length);
  const relative = (value: unknown): unknown => normalize(value, roots);
  const resources = recorded
    .map((r): PlanResource => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      custom: r.custom,
      parent: r.parent,
      dependencies: [...r.dependencies].sort(),
      propertyDependencies: Object.fromEntries(
        Object.entries(r.propertyDependencies).filter(([, urns]) => urns.length > 0),
      ),
      inputs: relative(r.inputs) as Record<string, unknown>,
      options: r.options,
    }))
    .sort((a, b) => compare(a.urn, b.urn));
  return {
    version: 1,
    project: source.project,
    stack: source.stack,
    geography: source.geography,
    resources,
  };
}

/** Rewrites absolute roots to `.` and asset/archive envelopes to a readable `{ "@asset": ... }`. */
function normalize(value: unknown, roots: readonly string[]): unknown {
  if (typeof value === "string") {
    let s = value;
    for (const root of roots) s = s.split(root).join(".");
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, roots));
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const kind = ASSET_KINDS[String(o[ASSET_SIG_KEY])];
    const entries = Object.entries(o).filter(([k]) => !(kind && k === ASSET_SIG_KEY));
    const out = Object.fromEntries(entries.map(([k, v]) => [k, normalize(v, roots)]));
    return kind ? { [`@${kind}`]: out } : out;
  }
  return value;
}

/** Code-unit string order: the same on every machine and locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Serializes any JSON value with object keys sorted at every level, two-space indented. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort(compare)
        .filter((k) => o[k] !== undefined)
        .map((k) => [k, sortKeys(o[k])]),
    );
  }
  return value;
}

/** Resource counts of a plan by type (custom resources and components), sorted by type. */
export function countByType(plan: Plan): Array<{ type: string; count: number }> {
  const counts = new Map<string, number>();
  for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([type, count]) => ({ type, count }));
}
