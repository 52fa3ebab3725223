import { LoadConfigError } from "./errors";

/**
 * The open-loop arrival schedule: when each operation is meant to start, fixed before the run and
 * independent of how fast the target answers (a slow answer never delays the next arrival). The
 * rate ramps linearly from 0 to `ratePerSecond` over `rampUpSeconds`, then holds until
 * `durationSeconds` (ramp-up included). Arrivals are evenly spaced at the current rate.
 */
export interface ScheduleArgs {
  readonly ratePerSecond: number;
  readonly durationSeconds: number;
  readonly rampUpSeconds: number;
}

export interface ArrivalSchedule {
  /** Arrivals in the whole run. */
  readonly total: number;
  /** Intended start of arrival `k` (0-based), in ms from the start of the run. */
  at(k: number): number;
  /** Arrivals intended per second at `seconds` into the run. */
  rateAt(seconds: number): number;
  /** Arrivals intended in [0, seconds). */
  cumulative(seconds: number): number;
}

/** Checks the schedule's numbers; throws LoadConfigError naming the bad one. */
export function checkScheduleArgs(args: ScheduleArgs): void {
  if (!(Number.isFinite(args.ratePerSecond) && args.ratePerSecond > 0)) {
    throw new LoadConfigError("--rate", String(args.ratePerSecond), "a rate > 0 ops/s is allowed");
  }
  if (!(Number.isFinite(args.durationSeconds) && args.durationSeconds > 0)) {
    throw new LoadConfigError(
      "--duration",
      String(args.durationSeconds),
      "a duration > 0 is allowed, e.g. 60s, 5m",
    );
  }
  if (!(args.rampUpSeconds >= 0 && args.rampUpSeconds <= args.durationSeconds)) {
    throw new LoadConfigError(
      "--ramp-up",
      String(args.rampUpSeconds),
      `a ramp-up from 0 to the duration (${args.durationSeconds} s) is allowed`,
    );
  }
}

/** Builds the schedule; throws LoadConfigError for a rate, duration or ramp-up out of range. */
export function openLoopSchedule(args: ScheduleArgs): ArrivalSchedule {
  checkScheduleArgs(args);
  const rate = args.ratePerSecond;
  const ramp = args.rampUpSeconds;
  const rampArrivals = (rate * ramp) / 2;
  const cumulative = (t: number): number => {
    if (t <= 0) return 0;
    if (t < ramp) return (rate * t * t) / (2 * ramp);
    return rampArrivals + rate * (t - ramp);
  };
  const total = Math.max(0, Math.ceil(cumulative(args.durationSeconds) - 1e-9));
  return {
    total,
    at(k) {
      const seconds =
        k < rampArrivals ? Math.sqrt((2 * ramp * k) / rate) : ramp + (k - rampArrivals) / rate;
      return seconds * 1000;
    },
    rateAt(t) {
      if (t < 0 || t >= args.durationSeconds) return 0;
      return t < ramp ? (rate * t) / ramp : rate;
    },
    cumulative: (t) => cumulative(Math.min(t, args.durationSeconds)),
  };
}
