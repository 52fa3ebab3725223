import { LOAD_DEFAULTS } from "./defaults";

/**
 * Pass/fail thresholds of a run: P95 latency of all operations (from the intended start), the
 * error rate (failed + not sent, over arrivals) and the steady-state rate of successful
 * operations. Defaults are the scale report's: P95 < 500 ms, errors < 0.1%, ≥ 10,000 ops/s.
 */
export interface Thresholds {
  readonly p95Millis: number;
  /** Fraction, e.g. 0.001 for 0.1%. */
  readonly maxErrorRate: number;
  readonly minOpsPerSecond: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = LOAD_DEFAULTS.thresholds;

/** One threshold checked: the shape the report renderer takes. */
export interface ThresholdCheck {
  readonly name: string;
  readonly limit: string;
  readonly actual: string;
  readonly passed: boolean;
}

/** What the checks read from a run. */
export interface MeasuredFigures {
  readonly p95Ms: number;
  readonly arrivals: number;
  readonly errors: number;
  /** Successful operations per second after ramp-up. */
  readonly opsPerSecond: number;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100_000) / 1000}%`;
}

/** Checks every threshold; the run passes when all pass. */
export function checkThresholds(
  m: MeasuredFigures,
  t: Thresholds,
): { checks: ThresholdCheck[]; passed: boolean } {
  const errorRate = m.arrivals > 0 ? m.errors / m.arrivals : 0;
  const checks: ThresholdCheck[] = [
    {
      name: "p95 latency",
      limit: `< ${t.p95Millis} ms`,
      actual: `${m.p95Ms} ms`,
      passed: m.arrivals > m.errors && m.p95Ms < t.p95Millis,
    },
    {
      name: "error rate",
      limit: `< ${percent(t.maxErrorRate)}`,
      actual: `${percent(errorRate)} (${m.errors} of ${m.arrivals})`,
      passed: errorRate < t.maxErrorRate,
    },
    {
      name: "throughput",
      limit: `>= ${t.minOpsPerSecond.toLocaleString("en-US")} ops/s`,
      actual: `${Math.round(m.opsPerSecond).toLocaleString("en-US")} ops/s`,
      passed: m.opsPerSecond >= t.minOpsPerSecond,
    },
  ];
  return { checks, passed: checks.every((c) => c.passed) };
}
