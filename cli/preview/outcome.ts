import type { Plan } from "../../plan/record";
import type { StatefulDestroy } from "../../policies/rules/stateful";
import type { PlanDiff } from "./diff";
import type { Finding } from "./findings";
import type { WorkerTiming } from "./worker";

/** What the preview found for one stack: its plan, diff and findings, or why it failed. */
export interface StackOutcome {
  readonly stack: string;
  readonly plan?: Plan;
  /** Present when a base directory was given. */
  readonly diff?: PlanDiff;
  readonly findings: readonly Finding[];
  /** Set when the stack could not be previewed. */
  readonly error?: { readonly kind: "config" | "program"; readonly message: string };
  /** Wall time of the stack's worker, in milliseconds. */
  readonly ms: number;
  /** Time the program took under the mocks (loading its modules and registration), in ms. */
  readonly programMs?: number;
  /** Where the stack's worker spent its time. */
  readonly timing?: WorkerTiming;
  /** The stack's part of the cost section of the text report. */
  readonly costText?: string;
  /** The stack's usage model file (`avalo:usageModel`), resolved, when it sets one. */
  readonly usageModel?: string;
  /** The stack config's `avalo:allowDestroy` entries. */
  readonly allowDestroy?: readonly string[];
  /** Replacements and deletes of stateful resources that an `avalo:allowDestroy` entry allows. */
  readonly allowedDestroys?: readonly StatefulDestroy[];
}

/** Exit codes of `avalo preview`. */
export const EXIT = { ok: 0, config: 1, violation: 2 } as const;

/** 1 when any stack failed to run, else 2 when any mandatory finding exists, else 0. */
export function exitCode(outcomes: readonly StackOutcome[]): number {
  if (outcomes.some((o) => o.error)) return EXIT.config;
  const mandatory = outcomes.some((o) => o.findings.some((f) => f.level === "mandatory"));
  return mandatory ? EXIT.violation : EXIT.ok;
}

/** Renders a value for a one-line report, shortened to `max` characters. */
export function shortValue(value: unknown, max = 80): string {
  if (value === undefined) return "(none)";
  const s =
    typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
