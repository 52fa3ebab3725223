import type { Plan, PlanResource } from "../../plan/record";
import {
  compareResources,
  type ChangeOp,
  type PropertyChange,
  type ResourceChange,
} from "../../policies/changes/classify";

export type { ChangeOp, PropertyChange, ResourceChange };

/**
 * The difference between a base plan and the current plan of one stack, as `pulumi preview` would
 * show it: resources created, deleted, and changed (updated in place or replaced, naming the
 * inputs that force the replacement; policies/changes/replacement.ts says which do).
 */
export interface PlanDiff {
  readonly stack: string;
  /** False when no base plan existed: every resource then counts as added. */
  readonly hasBase: boolean;
  readonly added: readonly PlanResource[];
  readonly removed: readonly PlanResource[];
  readonly changed: readonly ResourceChange[];
  /** Resources of the current plan that did not change. */
  readonly unchanged: number;
}

/** Counts per operation, in the words of Pulumi's summary. */
export interface DiffSummary {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
  readonly unchanged: number;
}

/** Diffs `current` against `base` (undefined when the stack had no base plan). */
export function diffPlans(base: Plan | undefined, current: Plan): PlanDiff {
  const { added, removed, changed } = compareResources(base?.resources ?? [], current.resources);
  return {
    stack: current.stack,
    hasBase: base !== undefined,
    added,
    removed,
    changed,
    unchanged: current.resources.length - added.length - changed.length,
  };
}

/** Whether the diff shows any change at all. */
export function isEmptyDiff(diff: PlanDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

/** The counts of a diff per operation. */
export function summarize(diff: PlanDiff): DiffSummary {
  const replace = diff.changed.filter((c) => c.op === "replace").length;
  return {
    create: diff.added.length,
    update: diff.changed.length - replace,
    replace,
    delete: diff.removed.length,
    unchanged: diff.unchanged,
  };
}

/** Pulumi's summary line: `Resources: + 1 to create, ~ 2 to update, +- 1 to replace, ...`. */
export function summaryLine(diff: PlanDiff): string {
  const s = summarize(diff);
  return (
    `Resources: + ${s.create} to create, ~ ${s.update} to update, +- ${s.replace} to replace, ` +
    `- ${s.delete} to delete, ${s.unchanged} unchanged`
  );
}
