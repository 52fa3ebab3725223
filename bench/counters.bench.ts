import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { FieldValue, type DocumentReference, type Firestore } from "firebase-admin/firestore";
import Redis from "ioredis";
import { HotCounter, ShardedCounter } from "../runtime/counters";
import { getFirestore } from "../runtime/firestore/client";
import { startFirestoreEmulator, startRedis, type LocalProcess } from "../runtime/local/processes";
import { result, type Benchmark, type BenchResult } from "./harness";

/**
 * Counter benchmarks on a redis-server and a Firestore emulator that this module starts and
 * stops itself. Every figure is compared with a baseline measured in the same run.
 */

const run = promisify(execFile);

const REDIS_OPS = 300_000;
const UNIFORM_KEYS = 10_000;
const ZIPF_KEYS = 10_000;
const ZIPF_S = 1.1;
const WRITERS = 50;

/** The documented sustained write rate of one Firestore document. */
const FIRESTORE_DOC_WRITES_PER_SECOND = 1;
const FIRESTORE_RATE_SOURCE =
  "https://firebase.google.com/docs/firestore/solutions/counters (a document sustains about 1 write/s)";

async function withRedis<T>(fn: (redis: Redis, server: LocalProcess) => Promise<T>): Promise<T> {
  const server = await startRedis();
  const redis = new Redis({ port: server.port, host: server.host });
  try {
    return await fn(redis, server);
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Bare ioredis: INCR in pipelines of 100, one pipeline at a time. */
async function barePipelined(redis: Redis, keys: readonly string[]): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < keys.length; i += 100) {
    const p = redis.pipeline();
    for (const k of keys.slice(i, i + 100)) p.incr(k);
    await p.exec();
  }
  return keys.length / seconds(start);
}

/**
 * Our API as a handler uses it: every increment is its own call with its own promise; up to
 * `inFlight` calls are outstanding at once.
 */
async function viaApi(
  counter: HotCounter,
  keys: readonly string[],
  inFlight = 10_000,
): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < keys.length; i += inFlight) {
    const calls: Promise<void>[] = [];
    for (const k of keys.slice(i, i + inFlight)) calls.push(counter.increment(k));
    await Promise.all(calls);
  }
  return keys.length / seconds(start);
}

/** Zipf(s) sampler over `n` keys by inverse CDF. */
function zipfKeys(count: number, n: number, s: number): string[] {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) cdf[k - 1] = sum += 1 / k ** s;
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const u = Math.random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = `likes:post-${lo}`;
  }
  return out;
}

async function redisBenchmarkIncr(port: number): Promise<number> {
  const { stdout } = await run("redis-benchmark", [
    "-h", "127.0.0.1", "-p", String(port), "-P", "16", "-t", "incr", "-n", "1000000", "-q",
  ]); // prettier-ignore
  const match = /INCR: ([\d.]+) requests per second/.exec(stdout);
  if (!match) throw new Error(`could not read redis-benchmark output: ${stdout}`);
  return Number(match[1]);
}

async function firestoreWriters(ops: number, op: () => Promise<unknown>) {
  let failed = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let i = 0; i < ops; i++) await op().catch(() => failed++);
    }),
  );
  return { perSecond: (WRITERS * ops - failed) / seconds(start), failed };
}

async function firestoreBench(db: Firestore): Promise<BenchResult[]> {
  const prefix = `bench_${randomUUID().slice(0, 8)}`;
  const shards = 100;
  const sharded = new ShardedCounter(db, { collection: `${prefix}_sharded`, shards });
  await sharded.create("c");
  const single = db.collection(`${prefix}_single`).doc("c");
  await single.set({ count: 0 });

  const plainOps = 40;
  const ours = await firestoreWriters(plainOps, () => sharded.increment("c"));
  const base = await firestoreWriters(plainOps, () =>
    single.update({ count: FieldValue.increment(1) }),
  );

  const txOps = 4;
  const shardRefs = Array.from({ length: shards }, (_, i) =>
    db.collection(`${prefix}_sharded`).doc("c").collection("shards").doc(String(i)),
  );
  const rmw = (ref: DocumentReference) => () =>
    db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      tx.update(ref, { count: ((snap.get("count") as number | undefined) ?? 0) + 1 });
    });
  const txOurs = await firestoreWriters(txOps, () =>
    rmw(shardRefs[Math.floor(Math.random() * shards)])(),
  );
  const txBase = await firestoreWriters(txOps, rmw(single));
  const expectedTotal = WRITERS * plainOps + WRITERS * txOps - txOurs.failed;
  const total = await sharded.value("c");

  const modelled = {
    modelledProductionWritesPerSecond: shards * FIRESTORE_DOC_WRITES_PER_SECOND,
    modelledSingleDocWritesPerSecond: FIRESTORE_DOC_WRITES_PER_SECOND,
    rateSource: FIRESTORE_RATE_SOURCE,
  };
  return [
    result({
      name: "Firestore sharded counter, plain increments (emulator)",
      metric: "increments/s, 50 writers",
      value: ours.perSecond,
      baseline: { name: "single-document counter, same writers", value: base.perSecond },
      figures: {
        shards,
        writers: WRITERS,
        opsPerWriter: plainOps,
        failed: ours.failed,
        baselineFailed: base.failed,
        shardedTotalExact: total === expectedTotal ? "yes" : `no (${total} vs ${expectedTotal})`,
        note: "the emulator does not enforce the ~1 write/s per document limit",
        ...modelled,
      },
    }),
    result({
      name: "Firestore sharded counter, read-modify-write transactions (emulator)",
      metric: "committed transactions/s, 50 writers",
      value: txOurs.perSecond,
      baseline: { name: "single-document transactions, same writers", value: txBase.perSecond },
      figures: {
        shards,
        writers: WRITERS,
        opsPerWriter: txOps,
        failedAfterRetries: txOurs.failed,
        baselineFailedAfterRetries: txBase.failed,
        ...modelled,
      },
    }),
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: "Redis counter API vs bare ioredis pipeline (uniform keys)",
    run: () =>
      withRedis(async (redis) => {
        const keys = Array.from(
          { length: REDIS_OPS },
          () => `views:u-${Math.floor(Math.random() * UNIFORM_KEYS)}`,
        );
        const counter = new HotCounter(redis, { prefix: `bench:${randomUUID().slice(0, 8)}` });
        await viaApi(counter, keys.slice(0, 20_000));
        await barePipelined(redis, keys.slice(0, 20_000));
        const ours = await viaApi(counter, keys);
        const bare = await barePipelined(redis, keys);
        return result({
          name: "Redis counter API vs bare ioredis pipeline (uniform keys)",
          metric: "increments/s",
          value: ours,
          baseline: { name: "bare ioredis INCR, pipelines of 100", value: bare },
          target: "ratio >= 0.9",
          check: (ratio) => ratio >= 0.9,
          figures: { increments: REDIS_OPS, keys: UNIFORM_KEYS, callsInFlight: 10_000 },
        });
      }),
  },
  {
    name: "hot keys (Zipf s=1.1) vs redis-benchmark -P 16 -t incr",
    run: () =>
      withRedis(async (redis, server) => {
        const keys = zipfKeys(1_000_000, ZIPF_KEYS, ZIPF_S);
        const counter = new HotCounter(redis, {
          prefix: `bench:${randomUUID().slice(0, 8)}`,
          coalesceWindowMillis: 1,
        });
        await viaApi(counter, keys.slice(0, 50_000));
        const ours = await viaApi(counter, keys);
        const baseline = await redisBenchmarkIncr(server.port);
        const distinctTop = new Set(keys.slice(0, 10_000)).size;
        return result({
          name: "hot keys (Zipf s=1.1) vs redis-benchmark -P 16 -t incr",
          metric: "logical increments/s",
          value: ours,
          baseline: { name: "redis-benchmark -P 16 -t incr -n 1000000", value: baseline },
          target: "ratio >= 1",
          check: (ratio) => ratio >= 1,
          figures: {
            increments: keys.length,
            keys: ZIPF_KEYS,
            zipfS: ZIPF_S,
            distinctKeysPer10k: distinctTop,
            coalesceWindowMillis: 1,
            resolvedAfter: "the window's script call was applied by Redis",
          },
        });
      }),
  },
  {
    name: "Firestore sharded vs single-document counter",
    async run() {
      const emulator = await startFirestoreEmulator();
      const previous = process.env.FIRESTORE_EMULATOR_HOST;
      process.env.FIRESTORE_EMULATOR_HOST = emulator.endpoint;
      try {
        return await firestoreBench(
          getFirestore({ projectId: `bench-${randomUUID().slice(0, 8)}` }),
        );
      } finally {
        if (previous === undefined) delete process.env.FIRESTORE_EMULATOR_HOST;
        else process.env.FIRESTORE_EMULATOR_HOST = previous;
        await emulator.stop();
      }
    },
  },
];
