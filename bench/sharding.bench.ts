import { randomBytes } from "node:crypto";
import { getUserShardId, initSharding, shardIndex, xxh64 } from "../runtime/sharding";
import { result, type Benchmark } from "./harness";

/**
 * Sharding benchmarks: getUserShardId throughput, balance over 100 shards with a chi-square
 * test, and the fraction of keys moved when a shard is added. Each compares with a baseline
 * measured in the same run.
 */

const THROUGHPUT_IDS = 1_000_000;
const BALANCE_IDS = 2_000_000;
const SHARDS = 100;

function ids(count: number): string[] {
  const bytes = randomBytes(count * 8);
  return Array.from({ length: count }, (_, i) => `u_${bytes.toString("hex", i * 8, i * 8 + 8)}`);
}

/**
 * Best of `rounds` of `fn` over `items`: items per CPU-second of this process (what one core
 * does, even when other work shares the machine) and items per wall-clock second.
 */
function rate(
  items: readonly string[],
  fn: (id: string) => unknown,
  rounds = 3,
): { cpu: number; wall: number } {
  let cpu = 0;
  let wall = 0;
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const startCpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (const id of items) sink ^= fn(id) ? 1 : 0;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(startCpu);
    cpu = Math.max(cpu, items.length / ((used.user + used.system) / 1e6));
    wall = Math.max(wall, items.length / seconds);
  }
  return sink === -1 ? { cpu: 0, wall: 0 } : { cpu, wall };
}

/** Upper tail probability of chi-square with `df` degrees of freedom (Wilson–Hilferty). */
function chiSquarePValue(statistic: number, df: number): number {
  const z = (Math.cbrt(statistic / df) - (1 - 2 / (9 * df))) / Math.sqrt(2 / (9 * df));
  // Complementary normal CDF (Abramowitz & Stegun 26.2.17).
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989423 * Math.exp((-z * z) / 2);
  const tail =
    d * t * (0.3193815 + t * (-0.3565638 + t * (1.781478 + t * (-1.821256 + t * 1.330274))));
  return z > 0 ? tail : 1 - tail;
}

function balance(counts: readonly number[], total: number) {
  const mean = total / counts.length;
  const chi = counts.reduce((s, c) => s + (c - mean) ** 2 / mean, 0);
  return {
    maxOverMean: Math.max(...counts) / mean,
    chiSquare: chi,
    pValue: chiSquarePValue(chi, counts.length - 1),
  };
}

export const benchmarks: Benchmark[] = [
  {
    name: "getUserShardId throughput",
    async run() {
      await initSharding();
      const sample = ids(THROUGHPUT_IDS);
      const ours = rate(sample, getUserShardId);
      const hashOnly = rate(sample, xxh64);
      const indexOnly = rate(sample, (id) => shardIndex(id, SHARDS));
      return result({
        name: "getUserShardId throughput",
        metric: "ids per CPU-second (one core)",
        value: ours.cpu,
        baseline: {
          name: "xxhash-wasm h64 alone (hash, no jump, no formatting)",
          value: hashOnly.cpu,
        },
        target: "value >= 5,000,000 ids/s",
        check: (_ratio, value) => value >= 5_000_000,
        figures: {
          ids: THROUGHPUT_IDS,
          wallClockIdsPerSecond: Math.round(ours.wall),
          baselineWallClockIdsPerSecond: Math.round(hashOnly.wall),
          shardIndexIdsPerCpuSecond: Math.round(indexOnly.cpu),
        },
      });
    },
  },
  {
    name: "balance over 100 shards",
    async run() {
      await initSharding();
      const sample = ids(BALANCE_IDS);
      const ours = new Array<number>(SHARDS).fill(0);
      for (const id of sample) ours[shardIndex(id, SHARDS)]++;
      const random = new Array<number>(SHARDS).fill(0);
      for (let i = 0; i < BALANCE_IDS; i++) random[Math.floor(Math.random() * SHARDS)]++;
      const o = balance(ours, BALANCE_IDS);
      const r = balance(random, BALANCE_IDS);
      return result({
        name: "balance over 100 shards",
        metric: "max/mean shard size",
        value: o.maxOverMean,
        baseline: { name: "Math.random() placement (ideal uniform)", value: r.maxOverMean },
        target: "max/mean <= 1.03 and chi-square p >= 0.001",
        check: () => o.maxOverMean <= 1.03 && o.pValue >= 0.001,
        figures: {
          ids: BALANCE_IDS,
          chiSquare: Number(o.chiSquare.toFixed(2)),
          degreesOfFreedom: SHARDS - 1,
          pValue: Number(o.pValue.toFixed(4)),
          criticalValueAtP001: 148.23,
          baselineChiSquare: Number(r.chiSquare.toFixed(2)),
        },
      });
    },
  },
  {
    name: "keys moved from 100 to 101 shards",
    async run() {
      await initSharding();
      const sample = ids(BALANCE_IDS);
      let moved = 0;
      let movedModulo = 0;
      for (const id of sample) {
        if (shardIndex(id, 100) !== shardIndex(id, 101)) moved++;
        const h = xxh64(id);
        if (h % 100n !== h % 101n) movedModulo++;
      }
      const fraction = moved / sample.length;
      return result({
        name: "keys moved from 100 to 101 shards",
        metric: "fraction of keys moved",
        value: fraction,
        baseline: { name: "ideal 1/(n+1) = 1/101", value: 1 / 101 },
        target: "0.0099 ± 0.001",
        check: () => Math.abs(fraction - 0.0099) <= 0.001,
        figures: {
          ids: sample.length,
          moduloHashingMoved: Number((movedModulo / sample.length).toFixed(4)),
        },
      });
    },
  },
];
