import { fork, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import { loadavg } from "node:os";
import autocannon from "autocannon";
import { parseMix } from "../runtime/load/mix";
import { seededRandom } from "../runtime/load/random";
import { runLoad } from "../runtime/load/run";
import { httpTarget } from "../runtime/load/targets";
import { VirtualUsers } from "../runtime/load/virtual-users";
import { noIdTokens } from "../runtime/services/clients/id-token";
import { result, type Benchmark, type BenchResult } from "./harness";

/**
 * The load generator's own limits, each against a same-run baseline:
 * - ceiling: req/s the generator (runLoad over its HTTP target, open loop) completes against a
 *   trivial HTTP server in a child process, ÷ autocannon's req/s against the same server with the
 *   same connections and request (POST /v1/rank with a JSON body), in alternating rounds so that
 *   other load on the machine weighs on both alike. Target ≥ 0.8. CPU-µs per request of each (this
 *   process's CPU time over the round) is reported too: it is steadier than req/s on a busy machine.
 *   The generator is given 1.1 × autocannon's rate on the same number of connections (in-flight
 *   cap 4 × that), so it runs flat out; arrivals over the cap count as not sent and cost it CPU.
 * - memory: RSS added by 100,000 virtual users (the real VirtualUsers structures, each drawn
 *   once) in a fresh child process, against that child's RSS before. Target < 1 GiB.
 * Both share the machine with whatever else runs; the 1-minute load average is reported.
 */

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 3);
const ROUNDS = 3;
const CONNECTIONS = 50;
const USERS = 100_000;
const GIB = 2 ** 30;

function forkChild(mode: "server" | "users"): ChildProcess {
  return fork(__filename, [mode], {
    execArgv: ["--require", require.resolve("tsx/cjs"), "--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

function firstMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve(m as T));
    child.once("exit", (code) => reject(new Error(`bench child exited ${code} before replying`)));
  });
}

async function autocannonRps(url: string): Promise<number> {
  const r = await new Promise<autocannon.Result>((resolve, reject) =>
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: [
          {
            method: "POST",
            path: "/v1/rank",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ userId: "load-bench-u1", limit: 20 }),
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    ),
  );
  return r.requests.total / SECONDS;
}

interface Round {
  readonly requests: number;
  readonly cpuMicros: number;
}

async function autocannonRound(url: string): Promise<Round> {
  const cpu = process.cpuUsage();
  const rps = await autocannonRps(url);
  const used = process.cpuUsage(cpu);
  return { requests: rps * SECONDS, cpuMicros: used.user + used.system };
}

async function generatorRound(
  url: string,
  rate: number,
): Promise<Round & { notSent: number; otherErrors: number; serviceP99Ms: number }> {
  const cpu = process.cpuUsage();
  const run = await runLoad({
    target: httpTarget({ urlFor: () => url, tokens: noIdTokens, maxSockets: CONNECTIONS }),
    mix: parseMix("feed=100"),
    users: 1000,
    ratePerSecond: rate,
    durationSeconds: SECONDS,
    rampUpSeconds: 0,
    // Same connections as autocannon; a deeper in-flight cap lets arrivals wait in the pool for
    // the next free connection instead of leaving it idle until the next scheduler tick.
    maxInFlight: 4 * CONNECTIONS,
    seed: 1,
  });
  const used = process.cpuUsage(cpu);
  const all = run.operations.find((o) => o.op === "all")!;
  const notSent = all.errorsByType["not-sent-in-flight-cap"] ?? 0;
  return {
    requests: run.ok,
    cpuMicros: used.user + used.system,
    notSent,
    otherErrors: all.errors - notSent,
    serviceP99Ms: all.serviceP99Ms,
  };
}

async function ceiling(): Promise<BenchResult> {
  const server = forkChild("server");
  try {
    const { port } = await firstMessage<{ port: number }>(server);
    const url = `http://127.0.0.1:${port}`;
    // Alternate rounds so that other load on the machine weighs on both alike.
    const cannon: Round[] = [];
    const generator: Array<Awaited<ReturnType<typeof generatorRound>>> = [];
    for (let i = 0; i < ROUNDS; i++) {
      const a = await autocannonRound(url);
      cannon.push(a);
      generator.push(
        await generatorRound(url, Math.max(100, Math.round((a.requests / SECONDS) * 1.1))),
      );
    }
    const sum = (rounds: readonly Round[], f: (r: Round) => number) =>
      rounds.reduce((n, r) => n + f(r), 0);
    const seconds = ROUNDS * SECONDS;
    const cpuPerRequest = (rounds: readonly Round[]) =>
      Math.round(
        sum(rounds, (r) => r.cpuMicros) /
          Math.max(
            1,
            sum(rounds, (r) => r.requests),
          ),
      );
    return result({
      name: `generator ceiling vs autocannon (${CONNECTIONS} connections, trivial HTTP server, ${ROUNDS} alternating rounds)`,
      metric: "req/s",
      value: sum(generator, (r) => r.requests) / seconds,
      baseline: {
        name: "autocannon, same server and request",
        value: sum(cannon, (r) => r.requests) / seconds,
      },
      target: "ratio >= 0.8",
      check: (ratio) => ratio >= 0.8,
      figures: {
        loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
        roundRatios: generator
          .map((g, i) => (g.requests / cannon[i].requests).toFixed(2))
          .join(" "),
        generatorCpuMicrosPerRequest: cpuPerRequest(generator),
        autocannonCpuMicrosPerRequest: cpuPerRequest(cannon),
        generatorNotSent: generator.reduce((n, g) => n + g.notSent, 0),
        generatorOtherErrors: generator.reduce((n, g) => n + g.otherErrors, 0),
        generatorServiceP99Ms: Math.max(...generator.map((g) => g.serviceP99Ms)),
      },
    });
  } finally {
    server.kill("SIGKILL");
  }
}

async function memory(): Promise<BenchResult> {
  const child = forkChild("users");
  const reply = await firstMessage<{ before: number; after: number; heapDelta: number }>(child);
  await new Promise((resolve) => child.once("exit", resolve));
  const delta = reply.after - reply.before;
  return result({
    name: `${USERS.toLocaleString("en-US")} virtual users held in memory (RSS added)`,
    metric: "bytes",
    value: delta,
    baseline: { name: "the same child's RSS before creating them", value: reply.before },
    target: "RSS added < 1 GiB",
    check: (_ratio, value) => value < GIB,
    figures: {
      rssAfterMiB: Math.round(reply.after / 2 ** 20),
      rssAddedMiB: Math.round(delta / 2 ** 20),
      heapAddedMiB: Math.round(reply.heapDelta / 2 ** 20),
      bytesPerUser: Math.round(delta / USERS),
    },
  });
}

async function childMain(mode: string | undefined): Promise<void> {
  if (mode === "server") {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"items":[],"cached":false}');
      });
    });
    server.keepAliveTimeout = 60_000;
    server.listen(0, "127.0.0.1", () =>
      process.send?.({ port: (server.address() as { port: number }).port }),
    );
    process.on("disconnect", () => process.exit(0));
    return;
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const users = new VirtualUsers({ count: USERS, runId: "bench", shard: { index: 0, count: 1 } });
  const random = seededRandom(1);
  for (let i = 0; i < USERS; i++) users.pick(random).started++;
  gc?.();
  const after = process.memoryUsage();
  process.send?.({
    before: before.rss,
    after: after.rss,
    heapDelta: after.heapUsed - before.heapUsed,
    users: users.size,
  });
  process.disconnect();
}

if (require.main === module) void childMain(process.argv[2]);

export const benchmarks: Benchmark[] = [
  { name: "generator ceiling", run: ceiling },
  { name: "virtual users memory", run: memory },
];
