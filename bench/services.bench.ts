import { fork } from "node:child_process";
import { loadavg } from "node:os";
import autocannon from "autocannon";
import Fastify, { type FastifyInstance } from "fastify";
import { startFirestoreEmulator, startRedis } from "../runtime/local/processes";
import { buildFraudAnalyzer } from "../runtime/services/fraud-analyzer/app";
import { buildRankingEngine } from "../runtime/services/ranking-engine/app";
import { result, type Benchmark, type BenchResult } from "./harness";

/**
 * HTTP benchmarks of ranking-engine and fraud-analyzer, each against a bare fastify hello route
 * measured in the same run with the same connections: req/s, p50/p95/p99 latency, and the
 * framework overhead ratio (service req/s ÷ bare req/s). Target: fraud scoring p95 < 50 ms at
 * 500 connections. Services run locally against their own redis-server, with local auth and
 * error-level logs. Each server (the services and the bare baseline alike) runs in a child process
 * of its own, as a service is deployed apart from its callers: autocannon then has this process's
 * event loop to itself, and the server its own. Redis shares the two cores with both.
 */

const DURATION_SECONDS = Number(process.env.BENCH_SERVICES_SECONDS ?? 8);

interface Measured {
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
}

type ServerKind = "bare" | "fraud-analyzer" | "ranking-engine";

interface Server {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `kind` in a child process with `env` added to this one's, listening on a free port. */
function serve(kind: ServerKind, env: NodeJS.ProcessEnv = {}): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [kind], {
      execArgv: ["--require", require.resolve("tsx/cjs")],
      env: { ...process.env, ...env },
    });
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.once("exit", (code) => reject(new Error(`bench server ${kind} exited ${code}`)));
    child.once("message", (m) =>
      resolve({
        url: (m as { url: string }).url,
        stop: async () => {
          child.disconnect();
          await exited;
        },
      }),
    );
  });
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function load(
  url: string,
  connections: number,
  requests: autocannon.RequestSpec[],
): Promise<Measured> {
  const latencies: number[] = [];
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon({ url, connections, duration: DURATION_SECONDS, requests }, (err, res) =>
      err ? reject(err) : resolve(res),
    ).on("response", (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  latencies.sort((x, y) => x - y);
  return {
    rps: r.requests.total / DURATION_SECONDS,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

function figures(m: Measured, base: Measured): Record<string, number> {
  return {
    // Other work on the machine skews every figure; the 1-minute load average says how much.
    loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
    p50Ms: m.p50,
    p95Ms: m.p95,
    p99Ms: m.p99,
    errors: m.errors,
    non2xx: m.non2xx,
    baselineP50Ms: base.p50,
    baselineP95Ms: base.p95,
    baselineP99Ms: base.p99,
  };
}

async function bare(connections: number): Promise<Measured> {
  const server = await serve("bare");
  try {
    return await load(server.url, connections, [{ method: "GET", path: "/hello" }]);
  } finally {
    await server.stop();
  }
}

const json = { "content-type": "application/json" };
let sequence = 0;

async function withRedis<T>(fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const redis = await startRedis();
  try {
    return await fn({
      AVALO_REGION: "us-east",
      AVALO_AUTH: "local",
      LOG_LEVEL: "error",
      REDIS_HOST: redis.host,
      REDIS_PORT: String(redis.port),
    });
  } finally {
    await redis.stop();
  }
}

async function fraudBench(): Promise<BenchResult[]> {
  const connections = 500;
  return withRedis(async (env) => {
    const server = await serve("fraud-analyzer", env);
    try {
      const base = await bare(connections);
      const m = await load(server.url, connections, [
        {
          method: "POST",
          path: "/v1/score",
          headers: json,
          setupRequest: (req: autocannon.RequestSpec) => {
            const n = sequence++;
            return {
              ...req,
              body: JSON.stringify({
                transactionId: `bench-${n}`,
                userId: `user-${n % 5000}`,
                amountMinor: 500 + (n % 97) * 10,
                currency: "EUR",
                deviceId: `device-${n % 7000}`,
                country: n % 50 === 0 ? "FR" : "DE",
              }),
            };
          },
        },
      ]);
      const fig = figures(m, base);
      return [
        result({
          name: "fraud-analyzer /v1/score throughput (500 connections)",
          metric: "req/s",
          value: m.rps,
          baseline: { name: "bare fastify hello", value: base.rps },
          figures: fig,
        }),
        result({
          name: "fraud-analyzer /v1/score p95 latency (500 connections)",
          metric: "ms",
          value: m.p95,
          baseline: { name: "bare fastify hello p95", value: base.p95 },
          target: "p95 < 50 ms",
          check: (_ratio, value) => value < 50 && m.errors === 0 && m.non2xx === 0,
          figures: fig,
        }),
      ];
    } finally {
      await server.stop();
    }
  });
}

async function rankingBench(): Promise<BenchResult[]> {
  const connections = 100;
  const created = Date.now();
  const candidates = Array.from({ length: 200 }, (_, i) => ({
    postId: `post-${i}`,
    authorId: `author-${i % 40}`,
    createdAt: new Date(created - i * 600_000).toISOString(),
  }));
  // Engagement comes from the likes and views counters, which read Firestore as well as Redis.
  const firestore = await startFirestoreEmulator();
  process.env.FIRESTORE_EMULATOR_HOST = firestore.endpoint;
  return withRedis(async (env) => {
    const server = await serve("ranking-engine", env);
    try {
      const base = await bare(connections);
      const m = await load(server.url, connections, [
        {
          method: "POST",
          path: "/v1/rank",
          headers: json,
          setupRequest: (req: autocannon.RequestSpec) => ({
            ...req,
            body: JSON.stringify({ userId: `user-${sequence++ % 2000}`, candidates, limit: 20 }),
          }),
        },
      ]);
      return [
        result({
          name: "ranking-engine /v1/rank of 200 candidates (100 connections, 2000 users)",
          metric: "req/s",
          value: m.rps,
          baseline: { name: "bare fastify hello", value: base.rps },
          figures: figures(m, base),
        }),
      ];
    } finally {
      await server.stop();
    }
  }).finally(() => firestore.stop());
}

export const benchmarks: Benchmark[] = [
  { name: "fraud-analyzer", run: fraudBench },
  { name: "ranking-engine", run: rankingBench },
];

/** Child: builds the server named in argv[2] from the environment and reports its URL. */
async function serverMain(kind: ServerKind): Promise<void> {
  let app: FastifyInstance;
  if (kind === "bare") {
    app = Fastify();
    app.get("/hello", async () => ({ hello: "world" }));
  } else {
    const build = kind === "fraud-analyzer" ? buildFraudAnalyzer : buildRankingEngine;
    app = await build(process.env);
  }
  await app.listen({ port: 0, host: "127.0.0.1" });
  process.on("disconnect", () => void app.close().finally(() => process.exit(0)));
  process.send?.({ url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` });
}

if (require.main === module) void serverMain(process.argv[2] as ServerKind);
