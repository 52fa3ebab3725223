/**
 * Degraded-mode accounting: every time a Redis operation fails and the caller falls back (to
 * the source of truth, or to an error), it is counted here by operation, so an outage shows up
 * in metrics instead of in crashes.
 */
export class RedisDegradedMetrics {
  private readonly failures = new Map<string, number>();
  private readonly fallbacks = new Map<string, number>();
  private lastError: string | undefined;

  /** A Redis operation failed. */
  recordFailure(operation: string, error: unknown): void {
    this.failures.set(operation, (this.failures.get(operation) ?? 0) + 1);
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  /** A read was served from the source of truth because Redis failed. */
  recordFallback(operation: string): void {
    this.fallbacks.set(operation, (this.fallbacks.get(operation) ?? 0) + 1);
  }

  /** Counts so far, by operation. */
  snapshot(): {
    failures: Record<string, number>;
    fallbacks: Record<string, number>;
    lastError?: string;
  } {
    return {
      failures: Object.fromEntries(this.failures),
      fallbacks: Object.fromEntries(this.fallbacks),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }
}
