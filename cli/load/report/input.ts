import type { LoadReportInput } from "../report";
import { LoadReportInputError } from "./errors";

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function requireText(value: unknown, field: string): void {
  if (typeof value !== "string") {
    throw new LoadReportInputError(field, `must be a string, but ${describe(value)} was provided`);
  }
}

function requireNonNegative(value: unknown, field: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new LoadReportInputError(
      field,
      `must be a finite number ≥ 0, but ${describe(value)} was provided`,
    );
  }
}

function requireList(value: unknown, field: string): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) {
    throw new LoadReportInputError(field, `must be an array, but ${describe(value)} was provided`);
  }
}

function requireFields(
  rows: readonly unknown[],
  field: string,
  text: readonly string[],
  numbers: readonly string[],
): void {
  rows.forEach((row, i) => {
    const r = (row ?? {}) as Record<string, unknown>;
    for (const key of text) requireText(r[key], `${field}[${i}].${key}`);
    for (const key of numbers) requireNonNegative(r[key], `${field}[${i}].${key}`);
  });
}

/**
 * Checks everything the renderer relies on, so a bad result fails with the field's path instead of
 * an empty or misleading chart.
 */
export function validateLoadReportInput(input: LoadReportInput): void {
  requireText(input.title, "title");
  for (const key of ["summary", "operations", "timeline", "thresholds"] as const) {
    requireList(input[key], key);
  }
  if (input.timeline.length === 0) {
    throw new LoadReportInputError(
      "timeline",
      "is empty: the charts need at least one per-second sample ({ second, op, count, errors, p50Ms, p95Ms, p99Ms })",
    );
  }
  requireFields(input.summary, "summary", ["label", "value"], []);
  requireFields(
    input.operations,
    "operations",
    ["op"],
    ["count", "errors", "p50Ms", "p95Ms", "p99Ms", "maxMs"],
  );
  requireFields(
    input.timeline,
    "timeline",
    ["op"],
    ["second", "count", "errors", "p50Ms", "p95Ms", "p99Ms"],
  );
  requireFields(input.thresholds, "thresholds", ["name", "limit", "actual"], []);
  input.thresholds.forEach((t, i) => {
    if (typeof t.passed !== "boolean") {
      throw new LoadReportInputError(
        `thresholds[${i}].passed`,
        `must be true or false, but ${describe(t.passed)} was provided`,
      );
    }
  });
}
