import type Redis from "ioredis";
import type { RedisDegradedMetrics } from "../redis/metrics";
import { defineScript, type ScriptRunner } from "../redis/script";

/**
 * Redis hot counter: increments are `INCRBY` on a pending key in Redis, written behind to
 * Firestore by the {@link WriteBehindFlusher}. Increments to the same key within one coalescing
 * window are summed in-process and sent as one script call for the whole window; each caller's
 * promise resolves only after Redis has applied the window that holds its delta.
 */

export interface HotCounterArgs {
  /** Prefix of every Redis key of this counter family, e.g. `avalo:eu-west:ctr`. */
  readonly prefix: string;
  /**
   * How long increments are gathered before they are sent. 0 gathers what arrives in the same
   * event-loop turn. @default 0
   */
  readonly coalesceWindowMillis?: number;
  /** Distinct keys in one window before it is sent early (1–10000). @default 1000 */
  readonly maxBatchKeys?: number;
  /** Where failed Redis writes are counted. */
  readonly metrics?: RedisDegradedMetrics;
}

export const HOT_COUNTER_DEFAULTS = { coalesceWindowMillis: 0, maxBatchKeys: 1000 } as const;

/** Redis key layout of a hot counter family; shared with the flusher. */
export class HotCounterKeys {
  constructor(readonly prefix: string) {}
  /** Set of counter ids with a pending or in-flight delta. */
  get dirty(): string {
    return `${this.prefix}:dirty`;
  }
  /** Pending delta not yet claimed by a flush (a Redis integer). */
  pending(id: string): string {
    return `${this.prefix}:p:${id}`;
  }
  /** The claimed delta of the flush in progress: hash {delta, seq}. */
  inflight(id: string): string {
    return `${this.prefix}:f:${id}`;
  }
  /** Last flush sequence number issued for the counter. */
  sequence(id: string): string {
    return `${this.prefix}:s:${id}`;
  }
}

/** INCRBY every pending key of a window and mark its counter dirty, atomically. */
const INCREMENT_SCRIPT = `
local n = #ARGV / 2
for i = 1, n do
  redis.call('INCRBY', KEYS[i + 1], ARGV[i])
  redis.call('SADD', KEYS[1], ARGV[n + i])
end
return n`;

interface Window {
  readonly deltas: Map<string, number>;
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
  timer?: NodeJS.Timeout | NodeJS.Immediate;
}

export class HotCounter {
  readonly keys: HotCounterKeys;
  private readonly windowMillis: number;
  private readonly maxBatchKeys: number;
  private readonly run: ScriptRunner;
  private window: Window | undefined;

  constructor(
    redis: Redis,
    private readonly args: HotCounterArgs,
  ) {
    this.keys = new HotCounterKeys(args.prefix);
    this.windowMillis = args.coalesceWindowMillis ?? HOT_COUNTER_DEFAULTS.coalesceWindowMillis;
    this.maxBatchKeys = args.maxBatchKeys ?? HOT_COUNTER_DEFAULTS.maxBatchKeys;
    if (!(this.windowMillis >= 0 && this.windowMillis <= 1000)) {
      throw new RangeError(
        `\`coalesceWindowMillis\` must be 0–1000 ms, but ${this.windowMillis} was provided`,
      );
    }
    if (
      !Number.isInteger(this.maxBatchKeys) ||
      this.maxBatchKeys < 1 ||
      this.maxBatchKeys > 10_000
    ) {
      throw new RangeError(
        `\`maxBatchKeys\` must be an integer 1–10000, but ${this.maxBatchKeys} was provided`,
      );
    }
    this.run = defineScript(redis, "avaloHotIncrement", INCREMENT_SCRIPT);
  }

  /**
   * Adds `delta` to counter `id`. Resolves once Redis has applied it; rejects if Redis failed,
   * in which case the delta was not applied.
   */
  increment(id: string, delta = 1): Promise<void> {
    if (!Number.isSafeInteger(delta)) {
      return Promise.reject(
        new RangeError(`\`delta\` must be a safe integer, but ${delta} was provided`),
      );
    }
    const window = this.window ?? this.open();
    window.deltas.set(id, (window.deltas.get(id) ?? 0) + delta);
    if (window.deltas.size >= this.maxBatchKeys) this.send(window);
    return window.done;
  }

  /** Sends the current window now. */
  flush(): Promise<void> {
    const window = this.window;
    if (!window) return Promise.resolve();
    this.send(window);
    return window.done;
  }

  private open(): Window {
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const window: Window = { deltas: new Map(), done, resolve, reject };
    window.timer =
      this.windowMillis === 0
        ? setImmediate(() => this.send(window))
        : setTimeout(() => this.send(window), this.windowMillis);
    this.window = window;
    return window;
  }

  private send(window: Window): void {
    if (this.window !== window) return;
    this.window = undefined;
    if (window.timer) {
      clearTimeout(window.timer as NodeJS.Timeout);
      clearImmediate(window.timer as NodeJS.Immediate);
    }
    const ids = [...window.deltas.keys()];
    const args: (string | number)[] = [this.keys.dirty];
    for (const id of ids) args.push(this.keys.pending(id));
    for (const id of ids) args.push(window.deltas.get(id) as number);
    args.push(...ids);
    this.run(ids.length + 1, ...args).then(
      () => window.resolve(),
      (error: unknown) => {
        this.args.metrics?.recordFailure("counter.increment", error);
        window.reject(error);
      },
    );
  }
}
