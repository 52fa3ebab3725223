import { compare, type Plan, type PlanResource } from "./plan";

/**
 * The difference between a base plan and the current plan of one stack: resources added, removed
 * and changed, and for each changed resource the properties that differ.
 */
export interface PlanDiff {
  readonly stack: string;
  /** False when no base plan existed: every resource then counts as added. */
  readonly hasBase: boolean;
  readonly added: readonly PlanResource[];
  readonly removed: readonly PlanResource[];
  readonly changed: readonly ResourceChange[];
}

/** A resource present in both plans whose inputs, parent or dependencies differ. */
export interface ResourceChange {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties: readonly PropertyChange[];
}

/** One leaf property that differs; `before`/`after` are absent when the property is new/gone. */
export interface PropertyChange {
  /** Dotted path into the inputs (`template.containers[0].resources.limits.memory`), or `(parent)`/`(dependencies)`. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Diffs `current` against `base` (undefined when the stack had no base plan). */
export function diffPlans(base: Plan | undefined, current: Plan): PlanDiff {
  const before = new Map((base?.resources ?? []).map((r) => [r.urn, r]));
  const after = new Map(current.resources.map((r) => [r.urn, r]));
  const added = current.resources.filter((r) => !before.has(r.urn));
  const removed = (base?.resources ?? []).filter((r) => !after.has(r.urn));
  const changed: ResourceChange[] = [];
  for (const r of current.resources) {
    const old = before.get(r.urn);
    if (!old) continue;
    const properties = [
      ...leafChanges(old.inputs, r.inputs, ""),
      ...leafChanges(old.parent, r.parent, "(parent)"),
      ...leafChanges(old.dependencies, r.dependencies, "(dependencies)"),
    ];
    if (properties.length > 0) {
      changed.push({ urn: r.urn, type: r.type, name: r.name, properties });
    }
  }
  return { stack: current.stack, hasBase: base !== undefined, added, removed, changed };
}

/** Whether the diff shows any change at all. */
export function isEmptyDiff(diff: PlanDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function leafChanges(a: unknown, b: unknown, path: string): PropertyChange[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compare);
    return keys.flatMap((k) => leafChanges(a[k], b[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b) && !path.startsWith("(")) {
    const n = Math.max(a.length, b.length);
    return Array.from({ length: n }, (_, i) => leafChanges(a[i], b[i], `${path}[${i}]`)).flat();
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  return [
    {
      path,
      ...(a === undefined ? {} : { before: a }),
      ...(b === undefined ? {} : { after: b }),
    },
  ];
}
