import { PIPELINES } from "../catalog/pipelines";
import type { UsageModel } from "../cost/usage";
import { getService, SERVICES } from "../catalog/services";
import { projectLoadCost, type LoadCostProjection } from "./cost";
import { LOAD_DEFAULTS } from "./defaults";
import { LoadConfigError } from "./errors";
import { OPERATIONS, type Mix, type Operation } from "./mix";
import { serviceOf } from "./operations";
import { openLoopSchedule } from "./schedule";
import { shardRate, shardUsers, SINGLE_SHARD, type Shard } from "./shard";

/**
 * The cost-safe simulation mode, for more virtual users than one machine can drive (above
 * `LOAD_DEFAULTS.simulationAboveUsers`). NO REQUESTS ARE SENT: the traffic is a model. From the
 * same open-loop schedule as a real run it derives arrivals per operation per second; per service
 * the expected instances at the steady rate (the larger of Little's law — rate × latency ÷ the
 * service table's concurrency — and CPU — rate × CPU-ms ÷ (vCPUs × target utilization)), against
 * its maxInstances; Pub/Sub messages and bytes and Firestore reads and writes from the usage
 * model's per-operation figures; and the cost (cost.ts). Deterministic: the same inputs give the
 * same figures, and the arrivals scale linearly with the users.
 */
export interface SimulationOptions {
  readonly mix: Mix;
  /** Virtual users of the whole load. */
  readonly users: number;
  /** @default users × LOAD_DEFAULTS.simulationOpsPerUserPerSecond */
  readonly ratePerSecond?: number;
  readonly durationSeconds: number;
  readonly rampUpSeconds: number;
  /** Latency per operation (measured p50 of a real run, or assumed). @default LOAD_DEFAULTS.assumedLatencyMillis */
  readonly latencyMillis?: Readonly<Record<Operation, number>>;
  /** Where the latencies came from, for the output. @default "assumed" */
  readonly latencySource?: string;
  /** Per-operation figures (events, Firestore operations, CPU-ms): e.g. usage/20m.yaml. */
  readonly usage: UsageModel;
  /** @default SINGLE_SHARD */
  readonly shard?: Shard;
}

export interface SimulatedService {
  readonly service: string;
  /** Requests per second at the steady rate (direct calls and push deliveries). */
  readonly requestsPerSecond: number;
  readonly latencyMs: number;
  readonly concurrentRequests: number;
  readonly concurrency: number;
  readonly instances: number;
  readonly maxInstances: number;
  readonly exceedsMaxInstances: boolean;
}

export interface SimulationResult {
  readonly mode: "simulation";
  /** Says in words that this is a model. */
  readonly notice: string;
  readonly users: number;
  readonly shard: Shard;
  readonly shardUsers: number;
  readonly ratePerSecond: number;
  readonly durationSeconds: number;
  readonly rampUpSeconds: number;
  readonly latencySource: string;
  /** Latency used per operation, ms. */
  readonly latencyByOperation: Readonly<Record<Operation, number>>;
  readonly arrivals: {
    readonly total: number;
    readonly byOperation: Readonly<Record<Operation, number>>;
  };
  readonly timeline: ReadonlyArray<{
    readonly second: number;
    readonly op: Operation;
    readonly arrivals: number;
  }>;
  readonly services: readonly SimulatedService[];
  readonly pubsub: {
    readonly messagesPerSecond: number;
    readonly bytesPerSecond: number;
    readonly totalMessages: number;
    readonly totalBytes: number;
    readonly byPipeline: ReadonlyArray<{
      readonly pipeline: string;
      readonly messagesPerSecond: number;
      readonly bytesPerSecond: number;
    }>;
  };
  readonly firestore: {
    readonly readsPerSecond: number;
    readonly writesPerSecond: number;
    readonly totalReads: number;
    readonly totalWrites: number;
  };
  readonly cost: LoadCostProjection;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Models the load; throws LoadConfigError for bad numbers. */
export function simulateLoad(options: SimulationOptions): SimulationResult {
  if (!(Number.isInteger(options.users) && options.users >= 1)) {
    throw new LoadConfigError("--users", String(options.users), "an integer >= 1 is allowed");
  }
  const shard = options.shard ?? SINGLE_SHARD;
  const totalRate =
    options.ratePerSecond ?? options.users * LOAD_DEFAULTS.simulationOpsPerUserPerSecond;
  const rate = shardRate(totalRate, options.users, shard);
  const schedule = openLoopSchedule({
    ratePerSecond: rate,
    durationSeconds: options.durationSeconds,
    rampUpSeconds: options.rampUpSeconds,
  });
  const latency = options.latencyMillis ?? LOAD_DEFAULTS.assumedLatencyMillis;
  const share = (op: Operation) => options.mix[op] / 100;
  const ops = OPERATIONS.filter((op) => options.mix[op] > 0);
  const seconds = Math.ceil(options.durationSeconds);
  const timeline: Array<{ second: number; op: Operation; arrivals: number }> = [];
  for (let s = 0; s < seconds; s++) {
    const arrivals = schedule.cumulative(s + 1) - schedule.cumulative(s);
    for (const op of ops) timeline.push({ second: s, op, arrivals: round(arrivals * share(op)) });
  }
  const total = schedule.cumulative(options.durationSeconds);
  const byOperation = Object.fromEntries(
    OPERATIONS.map((op) => [op, round(total * share(op))]),
  ) as Record<Operation, number>;

  const model = options.usage;
  const demand = new Map<string, { rps: number; latencyWeighted: number; cpuMs: number }>();
  const add = (service: string, rps: number, latencyMs: number) => {
    const d = demand.get(service) ?? { rps: 0, latencyWeighted: 0, cpuMs: 0 };
    d.rps += rps;
    d.latencyWeighted += rps * latencyMs;
    d.cpuMs += rps * (model.services[service]?.cpuMsPerRequest ?? 0);
    demand.set(service, d);
  };
  for (const op of ops) add(serviceOf(op), rate * share(op), latency[op]);
  const byPipeline: Array<{ pipeline: string; messagesPerSecond: number; bytesPerSecond: number }> =
    [];
  for (const pipeline of PIPELINES) {
    const events = model.events[pipeline.name];
    if (!events) continue;
    const perSecond = ops.reduce(
      (n, op) => n + rate * share(op) * (events.perOperation[op] ?? 0),
      0,
    );
    if (perSecond === 0) continue;
    byPipeline.push({
      pipeline: pipeline.name,
      messagesPerSecond: round(perSecond),
      bytesPerSecond: round(perSecond * events.bytes),
    });
    add(pipeline.consumer, perSecond, model.services[pipeline.consumer]?.cpuMsPerRequest ?? 0);
  }
  const services: SimulatedService[] = SERVICES.filter((s) => demand.has(s.name)).map((s) => {
    const d = demand.get(s.name)!;
    const spec = getService(s.name);
    const latencyMs = d.rps > 0 ? d.latencyWeighted / d.rps : 0;
    const concurrentRequests = (d.rps * latencyMs) / 1000;
    const byConcurrency = concurrentRequests / spec.concurrency;
    const byCpu = d.cpuMs / 1000 / (spec.cpu * model.cloudRun.targetCpuUtilization);
    const instances = Math.max(d.rps > 0 ? 1 : 0, Math.ceil(Math.max(byConcurrency, byCpu) - 1e-9));
    return {
      service: s.name,
      requestsPerSecond: round(d.rps),
      latencyMs: round(latencyMs),
      concurrentRequests: round(concurrentRequests),
      concurrency: spec.concurrency,
      instances,
      maxInstances: spec.maxInstances,
      exceedsMaxInstances: instances > spec.maxInstances,
    };
  });
  const messagesPerSecond = byPipeline.reduce((n, p) => n + p.messagesPerSecond, 0);
  const bytesPerSecond = byPipeline.reduce((n, p) => n + p.bytesPerSecond, 0);
  const hit = model.cache.hitRatio;
  const readsPerOp = (op: Operation) =>
    model.operations[op].firestoreReads - model.operations[op].cacheableReads * hit;
  const writesPerOp = (op: Operation) =>
    model.operations[op].firestoreWrites + model.operations[op].counterIncrements;
  const readsPerSecond = ops.reduce((n, op) => n + rate * share(op) * readsPerOp(op), 0);
  const writesPerSecond = ops.reduce((n, op) => n + rate * share(op) * writesPerOp(op), 0);
  const steadyFraction = rate > 0 ? total / (rate * options.durationSeconds) : 0;
  return {
    mode: "simulation",
    notice:
      "MODEL, NOT A MEASUREMENT: simulation mode sent no requests; every figure below is derived from the schedule, the service table and the usage model",
    users: options.users,
    shard,
    shardUsers: shardUsers(options.users, shard),
    ratePerSecond: round(rate),
    durationSeconds: options.durationSeconds,
    rampUpSeconds: options.rampUpSeconds,
    latencySource: options.latencySource ?? "assumed (LOAD_DEFAULTS.assumedLatencyMillis)",
    latencyByOperation: { ...latency },
    arrivals: { total: round(total), byOperation },
    timeline,
    services,
    pubsub: {
      messagesPerSecond: round(messagesPerSecond),
      bytesPerSecond: round(bytesPerSecond),
      totalMessages: round(messagesPerSecond * options.durationSeconds * steadyFraction),
      totalBytes: round(bytesPerSecond * options.durationSeconds * steadyFraction),
      byPipeline,
    },
    firestore: {
      readsPerSecond: round(readsPerSecond),
      writesPerSecond: round(writesPerSecond),
      totalReads: round(readsPerSecond * options.durationSeconds * steadyFraction),
      totalWrites: round(writesPerSecond * options.durationSeconds * steadyFraction),
    },
    cost: projectLoadCost(model, options.mix, rate, options.durationSeconds),
  };
}
