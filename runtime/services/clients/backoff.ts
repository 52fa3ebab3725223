/** Backoff settings, in milliseconds. */
export interface BackoffArgs {
  readonly baseMillis: number;
  readonly maxMillis: number;
}

/**
 * Full-jitter exponential backoff: the wait before retry `retry` (1-based) is uniform in
 * [0, min(max, base × 2^(retry−1))).
 */
export function backoffDelayMillis(
  retry: number,
  args: BackoffArgs,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(args.maxMillis, args.baseMillis * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}
