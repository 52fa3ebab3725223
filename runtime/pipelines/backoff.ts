import { PUBLISH_RETRY } from "./defaults";

/**
 * Capped exponential backoff with full jitter: attempt n (1-based, the failed attempt) waits a
 * random time in [0, min(maxDelayMillis, initialDelayMillis * multiplier^(n-1))].
 */
export type Backoff = (attempt: number) => number;

export interface BackoffArgs {
  readonly initialDelayMillis?: number;
  readonly maxDelayMillis?: number;
  readonly multiplier?: number;
  /** Random source in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** Builds a capped, jittered exponential backoff. */
export function exponentialBackoff(args: BackoffArgs = {}): Backoff {
  const initial = args.initialDelayMillis ?? PUBLISH_RETRY.initialDelayMillis;
  const max = args.maxDelayMillis ?? PUBLISH_RETRY.maxDelayMillis;
  const multiplier = args.multiplier ?? PUBLISH_RETRY.multiplier;
  const random = args.random ?? Math.random;
  if (!(initial >= 0) || !(max >= initial) || !(multiplier >= 1)) {
    throw new Error(
      `backoff needs 0 <= initialDelayMillis <= maxDelayMillis and multiplier >= 1, but got ` +
        `initialDelayMillis=${initial}, maxDelayMillis=${max}, multiplier=${multiplier}`,
    );
  }
  return (attempt) => {
    const cap = Math.min(max, initial * multiplier ** Math.max(0, attempt - 1));
    return Math.floor(random() * cap);
  };
}

/** A clock that tests can replace. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
