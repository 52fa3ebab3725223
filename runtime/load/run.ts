import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { LOAD_DEFAULTS } from "./defaults";
import { errorTypeOf, LoadConfigError, NOT_SENT_IN_FLIGHT_CAP } from "./errors";
import { DEFAULT_MIX, OPERATIONS, operationPicker, type Mix, type Operation } from "./mix";
import { newSeed, seededRandom } from "./random";
import { LoadRecorder, type OperationStats, type TimelinePoint } from "./recorder";
import {
  analyseSaturation,
  CpuSampler,
  type SaturationReport,
  type WatchedProcess,
} from "./saturation";
import { openLoopSchedule } from "./schedule";
import { shardRate, shardUsers, SINGLE_SHARD, type Shard } from "./shard";
import type { LoadTarget } from "./targets";
import {
  checkThresholds,
  DEFAULT_THRESHOLDS,
  type ThresholdCheck,
  type Thresholds,
} from "./thresholds";
import { VirtualUsers } from "./virtual-users";

/**
 * `runLoad`: one open-loop load run against a target. Arrivals follow the schedule
 * (schedule.ts) by their intended start time, never by when the previous answer came back; for
 * each one the seeded PRNG draws a virtual user, a peer and an operation (so the sequence is
 * reproducible from the seed whatever the target does), and the operation is sent at once unless
 * `maxInFlight` requests are outstanding, in which case it is counted as the error
 * `not-sent-in-flight-cap`. Latency runs from the intended start (see recorder.ts). With a shard,
 * the run drives its share of the users and of the rate (shard.ts). Everything here is plain
 * Node: it runs the same in `avalo load` and in the Cloud Run Job (job.ts).
 */
export interface RunLoadOptions {
  readonly target: LoadTarget;
  /** @default DEFAULT_MIX */
  readonly mix?: Mix;
  /** Virtual users of the whole load (all shards). @default LOAD_DEFAULTS.users */
  readonly users?: number;
  /** Target ops/s of the whole load after ramp-up. @default LOAD_DEFAULTS.ratePerSecond */
  readonly ratePerSecond?: number;
  /** @default LOAD_DEFAULTS.durationSeconds */
  readonly durationSeconds?: number;
  /** @default LOAD_DEFAULTS.rampUpSeconds (clamped to the duration) */
  readonly rampUpSeconds?: number;
  /** @default LOAD_DEFAULTS.maxInFlight */
  readonly maxInFlight?: number;
  /** @default a fresh seed, reported in the result */
  readonly seed?: number;
  /** Short id that keeps this run's user ids and event ids apart. @default random */
  readonly runId?: string;
  /** @default SINGLE_SHARD */
  readonly shard?: Shard;
  /** @default DEFAULT_THRESHOLDS */
  readonly thresholds?: Thresholds;
  /** Name of this process in the saturation report. @default "load generator" */
  readonly generatorLabel?: string;
  /** Processes whose CPU is sampled for the saturation report (the generator is always added). */
  readonly watch?: readonly WatchedProcess[];
  /** Called every `LOAD_DEFAULTS.progressIntervalMillis` while the run lasts. */
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Stops scheduling new arrivals; outstanding ones still finish. */
  readonly signal?: AbortSignal;
}

/** A progress snapshot. */
export interface LoadProgress {
  readonly elapsedSeconds: number;
  readonly durationSeconds: number;
  readonly arrivals: number;
  readonly totalArrivals: number;
  readonly ok: number;
  readonly errors: number;
  readonly inFlight: number;
  /** Completions per second over the last second. */
  readonly opsPerSecond: number;
  /** Intended arrival rate now. */
  readonly targetRate: number;
}

/** The resolved configuration of a run. */
export interface LoadConfig {
  readonly mix: Mix;
  readonly users: number;
  readonly ratePerSecond: number;
  readonly durationSeconds: number;
  readonly rampUpSeconds: number;
  readonly maxInFlight: number;
  readonly thresholds: Thresholds;
  readonly shard: Shard;
  /** This shard's users and rate. */
  readonly shardUsers: number;
  readonly shardRatePerSecond: number;
  readonly target: LoadTarget["kind"];
}

/** What one run measured. */
export interface LoadRun {
  readonly runId: string;
  readonly seed: number;
  readonly config: LoadConfig;
  readonly startedAt: string;
  /** Start to the last answer, drain included. */
  readonly elapsedSeconds: number;
  readonly arrivals: number;
  readonly sent: number;
  readonly ok: number;
  readonly errors: number;
  readonly operations: readonly OperationStats[];
  readonly timeline: readonly TimelinePoint[];
  readonly entryPoints: Readonly<Record<string, string>>;
  readonly opsPerSecond: {
    /** Successful ops over the whole duration. */
    readonly overall: number;
    /** Successful ops per second after ramp-up (what the throughput threshold checks). */
    readonly steady: number;
  };
  /** How late arrivals were sent after their intended time. */
  readonly schedulerLag: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  readonly thresholds: { readonly checks: readonly ThresholdCheck[]; readonly passed: boolean };
  readonly saturation: SaturationReport;
  /** True when the signal stopped the run early. */
  readonly aborted: boolean;
}

function positiveInteger(key: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1)) {
    throw new LoadConfigError(key, String(value), "an integer >= 1 is allowed");
  }
  return value;
}

/** Resolves and checks options; throws LoadConfigError naming the bad option. */
export function resolveLoadConfig(
  options: Omit<RunLoadOptions, "target"> & { target?: LoadTarget },
): LoadConfig {
  const shard = options.shard ?? SINGLE_SHARD;
  const users = positiveInteger("--users", options.users ?? LOAD_DEFAULTS.users);
  const durationSeconds = options.durationSeconds ?? LOAD_DEFAULTS.durationSeconds;
  const rampUpSeconds =
    options.rampUpSeconds ?? Math.min(LOAD_DEFAULTS.rampUpSeconds, durationSeconds);
  const ratePerSecond = options.ratePerSecond ?? LOAD_DEFAULTS.ratePerSecond;
  const config: LoadConfig = {
    mix: options.mix ?? DEFAULT_MIX,
    users,
    ratePerSecond,
    durationSeconds,
    rampUpSeconds,
    maxInFlight: positiveInteger(
      "--max-in-flight",
      options.maxInFlight ?? LOAD_DEFAULTS.maxInFlight,
    ),
    thresholds: options.thresholds ?? DEFAULT_THRESHOLDS,
    shard,
    shardUsers: shardUsers(users, shard),
    shardRatePerSecond: shardRate(ratePerSecond, users, shard),
    target: options.target?.kind ?? "http",
  };
  if (config.shardUsers < 1) {
    throw new LoadConfigError(
      "--shard",
      `${shard.index}/${shard.count}`,
      `at most as many shards as users (${users}) are allowed`,
    );
  }
  openLoopSchedule({ ratePerSecond, durationSeconds, rampUpSeconds });
  return config;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => (ms <= 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));

/** Runs the load; resolves when every sent operation has finished. */
export async function runLoad(options: RunLoadOptions): Promise<LoadRun> {
  const config = resolveLoadConfig(options);
  const seed = options.seed ?? newSeed();
  const runId = options.runId ?? randomBytes(4).toString("hex");
  const { target } = options;
  const schedule = openLoopSchedule({
    ratePerSecond: config.shardRatePerSecond,
    durationSeconds: config.durationSeconds,
    rampUpSeconds: config.rampUpSeconds,
  });
  const random = seededRandom((seed + config.shard.index * 0x9e3779b9) >>> 0);
  const users = new VirtualUsers({ count: config.shardUsers, runId, shard: config.shard });
  const pick = operationPicker(config.mix, random);
  const ops = OPERATIONS.filter((op) => config.mix[op] > 0);
  const recorder = new LoadRecorder(ops);
  const watched: WatchedProcess[] = [
    {
      name: options.generatorLabel ?? "load generator",
      pid: process.pid,
      coreLimit: 1,
      group: false,
    },
    ...(options.watch ?? []),
  ];
  const sampler = new CpuSampler(watched);
  const notSent = new Map<number, number>();

  let inFlight = 0;
  let okCount = 0;
  let errorCount = 0;
  let sent = 0;
  let k = 0;
  let drained: () => void = () => undefined;
  const startedAt = new Date();
  const startMillis = startedAt.getTime();
  const t0 = performance.now();
  const clock = () => performance.now() - t0;

  const dispatch = (seq: number, intended: number) => {
    const user = users.pick(random);
    const peer = users.pick(random);
    const op: Operation = pick();
    user.started++;
    if (inFlight >= config.maxInFlight) {
      errorCount++;
      user.failed++;
      const second = Math.floor(intended / 1000);
      notSent.set(second, (notSent.get(second) ?? 0) + 1);
      recorder.failure(op, NOT_SENT_IN_FLIGHT_CAP, intended, undefined, intended);
      return;
    }
    inFlight++;
    sent++;
    const sentAt = clock();
    recorder.lagged(intended, sentAt);
    const ctx = { user, peer, seq, runId, nowMillis: startMillis + sentAt };
    let operation: Promise<void>;
    try {
      operation = target.execute(op, ctx);
    } catch (error) {
      operation = Promise.reject(error);
    }
    operation.then(
      () => {
        okCount++;
        recorder.success(op, intended, sentAt, clock());
        if (--inFlight === 0) drained();
      },
      (error: unknown) => {
        errorCount++;
        user.failed++;
        recorder.failure(op, errorTypeOf(error), intended, sentAt, clock());
        if (--inFlight === 0) drained();
      },
    );
  };

  const history: Array<{ at: number; done: number }> = [];
  const progress = setInterval(() => {
    const at = clock();
    const done = okCount + errorCount;
    history.push({ at, done });
    while (history.length > 1 && at - history[0].at > 1000) history.shift();
    const first = history[0];
    options.onProgress?.({
      elapsedSeconds: at / 1000,
      durationSeconds: config.durationSeconds,
      arrivals: k,
      totalArrivals: schedule.total,
      ok: okCount,
      errors: errorCount,
      inFlight,
      opsPerSecond: at > first.at ? ((done - first.done) * 1000) / (at - first.at) : 0,
      targetRate: schedule.rateAt(at / 1000),
    });
  }, LOAD_DEFAULTS.progressIntervalMillis);
  progress.unref();

  sampler.start();
  let aborted = false;
  try {
    while (k < schedule.total) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      const now = clock();
      while (k < schedule.total && schedule.at(k) <= now) {
        dispatch(k, schedule.at(k));
        k++;
      }
      if (k < schedule.total) await sleep(Math.min(50, schedule.at(k) - clock()));
    }
    if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  } finally {
    clearInterval(progress);
    sampler.stop();
  }
  const elapsedSeconds = clock() / 1000;
  const ran = aborted ? Math.min(config.durationSeconds, elapsedSeconds) : config.durationSeconds;
  const steadyFrom = Math.ceil(config.rampUpSeconds);
  const steadySeconds = Math.floor(ran) - steadyFrom;
  const steady =
    steadySeconds >= 1
      ? recorder.okBetween(steadyFrom * 1000, (steadyFrom + steadySeconds) * 1000) / steadySeconds
      : okCount / ran;
  const operations = recorder.stats();
  const all = operations[operations.length - 1];
  const arrivals = k;
  // A shard is held to its share of the throughput threshold.
  const share = config.ratePerSecond > 0 ? config.shardRatePerSecond / config.ratePerSecond : 1;
  const thresholds = checkThresholds(
    { p95Ms: all.p95Ms, arrivals, errors: errorCount, opsPerSecond: steady },
    { ...config.thresholds, minOpsPerSecond: config.thresholds.minOpsPerSecond * share },
  );
  const saturation = analyseSaturation({
    samples: sampler.samples,
    watched,
    notSent,
    maxInFlight: config.maxInFlight,
    lag: recorder.lagTimeline(),
    targetOpsPerSecond: config.shardRatePerSecond,
    achievedOpsPerSecond: steady,
  });
  return {
    runId,
    seed,
    config,
    startedAt: startedAt.toISOString(),
    elapsedSeconds: Math.round(elapsedSeconds * 1000) / 1000,
    arrivals,
    sent,
    ok: okCount,
    errors: errorCount,
    operations,
    timeline: recorder.timeline(),
    entryPoints: Object.fromEntries(ops.map((op) => [op, target.entryPoint(op)])),
    opsPerSecond: {
      overall: Math.round((okCount / ran) * 100) / 100,
      steady: Math.round(steady * 100) / 100,
    },
    schedulerLag: recorder.lagStats(),
    thresholds,
    saturation,
    aborted,
  };
}
