import { build, type Histogram } from "hdr-histogram-js";
import type { Operation } from "./mix";

/**
 * Latency and error bookkeeping of a run, with HdrHistogram. Latency is measured from the
 * arrival's INTENDED start (its slot in the open-loop schedule) to its completion, so time spent
 * waiting behind a slow target or a busy generator counts: this is the coordinated-omission
 * correction (not `recordValueWithExpectedInterval`, which would invent samples). Service time
 * (actual send to completion) is kept beside it to show the difference. Values are recorded in
 * microseconds; every second of the run has its own histogram per operation for the timeline.
 */

/** Statistics of one operation (or of all). */
export interface OperationStats {
  readonly op: string;
  /** Arrivals: operations the schedule started, sent or not. */
  readonly count: number;
  readonly ok: number;
  readonly errors: number;
  readonly errorsByType: Readonly<Record<string, number>>;
  /** Latency from the intended start (coordinated-omission corrected), ms. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** Service time (actual send to completion), ms: what a closed-loop tool would report. */
  readonly serviceP50Ms: number;
  readonly serviceP99Ms: number;
}

/** One second of one operation (or of all, op `all`). */
export interface TimelinePoint {
  readonly second: number;
  readonly op: string;
  /** Operations completed in that second (ok or failed), plus arrivals not sent. */
  readonly count: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

const HIGHEST_MICROS = 3_600_000_000;

function histogram(digits: 2 | 3): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_MICROS,
    numberOfSignificantValueDigits: digits,
    bitBucketSize: 32,
    autoResize: false,
  });
}

const ms = (micros: number) => Math.round(micros) / 1000;

function clampMicros(millis: number): number {
  return Math.min(HIGHEST_MICROS, Math.max(1, Math.round(millis * 1000)));
}

interface Second {
  readonly latency: Histogram;
  count: number;
  errors: number;
}

interface OpState {
  readonly latency: Histogram;
  readonly service: Histogram;
  count: number;
  ok: number;
  readonly errors: Map<string, number>;
  readonly seconds: Map<number, Second>;
}

export class LoadRecorder {
  private readonly ops = new Map<string, OpState>();
  private readonly lag = histogram(2);
  private readonly lagBySecond = new Map<number, Histogram>();

  constructor(operations: readonly Operation[]) {
    for (const op of operations) {
      this.ops.set(op, {
        latency: histogram(3),
        service: histogram(3),
        count: 0,
        ok: 0,
        errors: new Map(),
        seconds: new Map(),
      });
    }
  }

  /** A completed operation. Times are ms on the run's clock (0 = start of the run). */
  success(op: Operation, intendedMs: number, sentMs: number, doneMs: number): void {
    const s = this.state(op);
    s.count++;
    s.ok++;
    const latency = clampMicros(doneMs - intendedMs);
    s.latency.recordValue(latency);
    s.service.recordValue(clampMicros(doneMs - sentMs));
    const sec = this.second(s, doneMs);
    sec.count++;
    sec.latency.recordValue(latency);
  }

  /**
   * A failed operation. `doneMs` is when it failed; for an arrival that was never sent it is
   * its intended time, and no latency is recorded.
   */
  failure(
    op: Operation,
    type: string,
    intendedMs: number,
    sentMs: number | undefined,
    doneMs: number,
  ): void {
    const s = this.state(op);
    s.count++;
    s.errors.set(type, (s.errors.get(type) ?? 0) + 1);
    const sec = this.second(s, doneMs);
    sec.count++;
    sec.errors++;
    if (sentMs !== undefined) {
      const latency = clampMicros(doneMs - intendedMs);
      s.latency.recordValue(latency);
      s.service.recordValue(clampMicros(doneMs - sentMs));
      sec.latency.recordValue(latency);
    }
  }

  /** How late the generator sent an arrival (send time − intended time). */
  lagged(intendedMs: number, sentMs: number): void {
    const micros = clampMicros(sentMs - intendedMs);
    this.lag.recordValue(micros);
    const second = Math.floor(intendedMs / 1000);
    let h = this.lagBySecond.get(second);
    if (!h) this.lagBySecond.set(second, (h = histogram(2)));
    h.recordValue(micros);
  }

  /** Per-operation statistics, in the order the operations were given, then `all`. */
  stats(): OperationStats[] {
    const rows = [...this.ops.entries()].map(([op, s]) =>
      statsOf(op, [s.latency], [s.service], s.count, s.ok, s.errors),
    );
    const all = [...this.ops.values()];
    const errors = new Map<string, number>();
    for (const s of all) for (const [t, n] of s.errors) errors.set(t, (errors.get(t) ?? 0) + n);
    rows.push(
      statsOf(
        "all",
        all.map((s) => s.latency),
        all.map((s) => s.service),
        all.reduce((n, s) => n + s.count, 0),
        all.reduce((n, s) => n + s.ok, 0),
        errors,
      ),
    );
    return rows;
  }

  /** Per second and operation (operations with nothing in a second are left out), then `all`. */
  timeline(): TimelinePoint[] {
    const seconds = new Set<number>();
    for (const s of this.ops.values()) for (const k of s.seconds.keys()) seconds.add(k);
    const points: TimelinePoint[] = [];
    for (const second of [...seconds].sort((a, b) => a - b)) {
      const merged = histogram(2);
      let count = 0;
      let errors = 0;
      for (const [op, s] of this.ops) {
        const sec = s.seconds.get(second);
        if (!sec) continue;
        points.push({
          second,
          op,
          count: sec.count,
          errors: sec.errors,
          ...percentiles(sec.latency),
        });
        merged.add(sec.latency);
        count += sec.count;
        errors += sec.errors;
      }
      points.push({ second, op: "all", count, errors, ...percentiles(merged) });
      merged.destroy();
    }
    return points;
  }

  /** Scheduler lag of the whole run, ms. */
  lagStats(): { p50Ms: number; p99Ms: number; maxMs: number } {
    return {
      p50Ms: ms(this.lag.getValueAtPercentile(50)),
      p99Ms: ms(this.lag.getValueAtPercentile(99)),
      maxMs: ms(this.lag.maxValue),
    };
  }

  /** p99 scheduler lag per second of intended time, ms. */
  lagTimeline(): Array<{ second: number; p99Ms: number }> {
    return [...this.lagBySecond.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([second, h]) => ({ second, p99Ms: ms(h.getValueAtPercentile(99)) }));
  }

  /** Completed (ok) operations whose completion fell in [fromMs, toMs). */
  okBetween(fromMs: number, toMs: number): number {
    let n = 0;
    for (const s of this.ops.values()) {
      for (const [second, sec] of s.seconds) {
        if (second * 1000 >= fromMs && second * 1000 < toMs) n += sec.count - sec.errors;
      }
    }
    return n;
  }

  private state(op: Operation): OpState {
    const s = this.ops.get(op);
    if (!s) throw new Error(`operation "${op}" is not in this run's mix`);
    return s;
  }

  private second(s: OpState, atMs: number): Second {
    const second = Math.max(0, Math.floor(atMs / 1000));
    let sec = s.seconds.get(second);
    if (!sec) s.seconds.set(second, (sec = { latency: histogram(2), count: 0, errors: 0 }));
    return sec;
  }
}

function percentiles(h: Histogram): { p50Ms: number; p95Ms: number; p99Ms: number } {
  if (h.totalCount === 0) return { p50Ms: 0, p95Ms: 0, p99Ms: 0 };
  return {
    p50Ms: ms(h.getValueAtPercentile(50)),
    p95Ms: ms(h.getValueAtPercentile(95)),
    p99Ms: ms(h.getValueAtPercentile(99)),
  };
}

function statsOf(
  op: string,
  latencies: readonly Histogram[],
  services: readonly Histogram[],
  count: number,
  ok: number,
  errors: ReadonlyMap<string, number>,
): OperationStats {
  const latency = histogram(3);
  const service = histogram(3);
  for (const h of latencies) latency.add(h);
  for (const h of services) service.add(h);
  const empty = latency.totalCount === 0;
  const stats: OperationStats = {
    op,
    count,
    ok,
    errors: count - ok,
    errorsByType: Object.fromEntries([...errors.entries()].sort()),
    ...percentiles(latency),
    maxMs: empty ? 0 : ms(latency.maxValue),
    meanMs: empty ? 0 : Math.round(latency.mean) / 1000,
    serviceP50Ms: empty ? 0 : ms(service.getValueAtPercentile(50)),
    serviceP99Ms: empty ? 0 : ms(service.getValueAtPercentile(99)),
  };
  latency.destroy();
  service.destroy();
  return stats;
}
