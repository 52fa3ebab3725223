/** Defaults of every service client, in one place. */
export const CLIENT_DEFAULTS = {
  /** Attempts per idempotent call, the first included. */
  maxAttempts: 3,
  /** First retry waits up to this long (full jitter); each further retry doubles it. */
  backoffBaseMillis: 100,
  /** Cap on one retry's wait, including a server's Retry-After. */
  backoffMaxMillis: 2000,
  /** Consecutive failures that open the breaker. */
  breakerFailureThreshold: 5,
  /** Time the breaker stays open before it lets one trial call through. */
  breakerCoolDownMillis: 10_000,
} as const;
