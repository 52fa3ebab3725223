/**
 * A circuit breaker per service: after `failureThreshold` consecutive failures it opens and
 * calls fail fast; after `coolDownMillis` it lets one trial call through (half-open), which
 * closes it on success or opens it again on failure.
 */
export interface BreakerArgs {
  readonly failureThreshold: number;
  readonly coolDownMillis: number;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
}

export type BreakerState = "closed" | "open" | "half-open";

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private current: BreakerState = "closed";
  private readonly now: () => number;

  constructor(private readonly args: BreakerArgs) {
    if (args.failureThreshold < 1) {
      throw new Error(
        `failureThreshold must be at least 1, but ${args.failureThreshold} was provided`,
      );
    }
    this.now = args.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.current === "open" && this.now() - this.openedAt >= this.args.coolDownMillis) {
      this.current = "half-open";
      this.trialInFlight = false;
    }
    return this.current;
  }

  /** Milliseconds until an open breaker lets a trial through; 0 when not open. */
  retryInMillis(): number {
    return this.state === "open"
      ? Math.max(0, this.openedAt + this.args.coolDownMillis - this.now())
      : 0;
  }

  /** Whether a call may go out now; in half-open state only one trial at a time. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open" || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.current = "closed";
  }

  onFailure(): void {
    this.failures++;
    this.trialInFlight = false;
    if (this.current === "half-open" || this.failures >= this.args.failureThreshold) {
      this.current = "open";
      this.openedAt = this.now();
    }
  }
}
