import { METRICS_LOG_INTERVAL_MILLIS } from "./defaults";

/**
 * Pipeline metrics: counters and latency percentiles per pipeline, for the publisher (published,
 * failed, publish latency) and the consumer core (processed, duplicates, dead-lettered, nacked,
 * handler latency). `snapshot()` is what a service's metrics endpoint returns; `startLogging`
 * writes the same snapshot to the log periodically.
 */

export type Counter =
  | "published"
  | "publishFailed"
  | "publishRetries"
  | "processed"
  | "duplicates"
  | "deadLettered"
  | "nacked"
  | "otherRegion";

export type LatencyKind = "publish" | "handle";

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface PipelineMetricsSnapshot {
  readonly counters: Readonly<Record<Counter, number>>;
  readonly latency: Readonly<Partial<Record<LatencyKind, LatencySummary>>>;
}

/** Keeps the most recent samples only, so memory stays bounded. */
const RESERVOIR = 4096;

class Latencies {
  private readonly samples: number[] = [];
  private next = 0;
  private total = 0;

  add(ms: number): void {
    if (this.samples.length < RESERVOIR) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % RESERVOIR;
    this.total++;
  }

  summary(): LatencySummary {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return {
      count: this.total,
      p50Ms: at(0.5),
      p95Ms: at(0.95),
      p99Ms: at(0.99),
      maxMs: sorted[sorted.length - 1] ?? 0,
    };
  }
}

const zeroCounters = (): Record<Counter, number> => ({
  published: 0,
  publishFailed: 0,
  publishRetries: 0,
  processed: 0,
  duplicates: 0,
  deadLettered: 0,
  nacked: 0,
  otherRegion: 0,
});

/** Metrics of every pipeline a process touches. */
export class PipelineMetrics {
  private readonly counters = new Map<string, Record<Counter, number>>();
  private readonly latencies = new Map<string, Map<LatencyKind, Latencies>>();

  /** Adds `by` to a counter of a pipeline. */
  count(pipeline: string, counter: Counter, by = 1): void {
    let c = this.counters.get(pipeline);
    if (!c) this.counters.set(pipeline, (c = zeroCounters()));
    c[counter] += by;
  }

  /** Records one latency sample in milliseconds. */
  observe(pipeline: string, kind: LatencyKind, ms: number): void {
    let byKind = this.latencies.get(pipeline);
    if (!byKind) this.latencies.set(pipeline, (byKind = new Map()));
    let l = byKind.get(kind);
    if (!l) byKind.set(kind, (l = new Latencies()));
    l.add(ms);
  }

  /** Current values, keyed by pipeline name. */
  snapshot(): Record<string, PipelineMetricsSnapshot> {
    const names = new Set([...this.counters.keys(), ...this.latencies.keys()]);
    const out: Record<string, PipelineMetricsSnapshot> = {};
    for (const name of [...names].sort()) {
      const latency: Partial<Record<LatencyKind, LatencySummary>> = {};
      for (const [kind, l] of this.latencies.get(name) ?? []) latency[kind] = l.summary();
      out[name] = { counters: { ...(this.counters.get(name) ?? zeroCounters()) }, latency };
    }
    return out;
  }

  /** Logs the snapshot every `intervalMillis`; returns a function that stops it. */
  startLogging(
    log: (line: string) => void = (line) => console.log(line),
    intervalMillis = METRICS_LOG_INTERVAL_MILLIS,
  ): () => void {
    const timer = setInterval(() => {
      log(
        JSON.stringify({ severity: "INFO", message: "pipeline metrics", metrics: this.snapshot() }),
      );
    }, intervalMillis);
    timer.unref();
    return () => clearInterval(timer);
  }
}

/** The process-wide metrics used when none are injected. */
export const defaultMetrics = new PipelineMetrics();
