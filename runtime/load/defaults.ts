import type { Operation } from "../cost/usage";

/** Defaults of the load simulator, in one place. Units are in the names. */
export const LOAD_DEFAULTS = {
  /** Virtual users; sized for the local platform on a 2-core machine. */
  users: 200,
  /** Target arrival rate after ramp-up, operations per second. */
  ratePerSecond: 500,
  /** Whole run, ramp-up included. */
  durationSeconds: 60,
  /** Linear ramp from 0 to the target rate at the start of the run. */
  rampUpSeconds: 10,
  /** Requests outstanding at once; an arrival beyond it is counted as not sent. */
  maxInFlight: 512,
  /** Cap on one request; the callee's own timeout from the service table when lower. */
  requestTimeoutMillis: 30_000,
  /** Above this many virtual users one machine cannot drive the load: simulation mode. */
  simulationAboveUsers: 100_000,
  /**
   * Operations per user per second in simulation mode when no rate is given: the scale report's
   * 100K concurrent users at 10K ops/s, one operation every 10 s.
   */
  simulationOpsPerUserPerSecond: 0.1,
  /** Latency assumed per operation by the simulation when no measured result is given. */
  assumedLatencyMillis: {
    feed: 60,
    profile: 25,
    likes: 25,
    chat: 25,
    ai: 800,
    payments: 60,
  } satisfies Record<Operation, number>,
  /** The scale report's pass/fail thresholds. */
  thresholds: { p95Millis: 500, maxErrorRate: 0.001, minOpsPerSecond: 10_000 },
  /** How often progress is reported to the command (it throttles non-TTY output itself). */
  progressIntervalMillis: 250,
  /** CPU share of its limit at which a process counts as saturated. */
  saturatedCpuShare: 0.9,
  /** Scheduler lag (p99 of send time − intended time in one second) that means the generator is behind. */
  saturatedLagMillis: 50,
  /** Consecutive seconds a condition must hold before it counts as saturation. */
  saturationSustainSeconds: 2,
} as const;
