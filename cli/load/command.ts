import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { loadUsageModel, UsageModelError, type UsageModel } from "../../runtime/cost/usage";
import { projectLoadCost, twentyMillionProjection } from "../../runtime/load/cost";
import { LOAD_DEFAULTS } from "../../runtime/load/defaults";
import { LoadConfigError, ProductionTargetError } from "../../runtime/load/errors";
import { assertNotProduction } from "../../runtime/load/guard";
import { OPERATIONS, type Mix, type Operation } from "../../runtime/load/mix";
import { newSeed } from "../../runtime/load/random";
import { runLoad, type LoadRun } from "../../runtime/load/run";
import type { WatchedProcess } from "../../runtime/load/saturation";
import { simulateLoad } from "../../runtime/load/simulation";
import { httpTarget, platformTarget, type LoadTarget } from "../../runtime/load/targets";
import { googleIdTokens, noIdTokens } from "../../runtime/services/clients/id-token";
import type { Platform } from "../local/platform";
import {
  LOAD_USAGE,
  parseLoadArgs,
  TWENTY_MILLION_USAGE_FILE,
  type LoadCommandOptions,
} from "./args";
import {
  formatErrors,
  formatLoadCost,
  formatOperations,
  formatSaturation,
  formatSimulation,
  formatThresholds,
  formatTwentyMillion,
} from "./print";
import { productionProjects } from "./production";
import { progressWriter, type ProgressStream } from "./progress";
import { writeLoadReport } from "./report";
import {
  reportOfRun,
  reportOfSimulation,
  type LoadResultFile,
  type MeasuredResult,
} from "./result";

/**
 * `avalo load`: parses the arguments (args.ts), refuses production-looking targets, runs the
 * load (runtime/load runLoad) against the local platform or a staging URL — or, above 100,000
 * users or with --simulate, models it without sending anything — prints the tables, writes
 * `out/load/<name>/result.json` and renders the HTML report with PNG charts (report.ts).
 * Exit codes: 0 all thresholds met (or a simulation), 1 a threshold missed or the run failed,
 * 2 bad arguments or a refused target.
 */
export interface LoadCommandIo {
  readonly rootDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: ProgressStream;
}

const defaultIo = (): LoadCommandIo => ({
  rootDir: join(__dirname, "..", ".."),
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: process.stderr,
});

/** The mix the run actually drew (arrivals per operation), in percent. */
function measuredMix(run: LoadRun): Mix {
  const total = run.arrivals || 1;
  const count = (op: Operation) => run.operations.find((o) => o.op === op)?.count ?? 0;
  return Object.fromEntries(OPERATIONS.map((op) => [op, (100 * count(op)) / total])) as Mix;
}

/** Per-operation p50 of a measured result.json, for the simulation. */
function latencyFrom(file: string): Record<Operation, number> {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<MeasuredResult>;
  if (parsed.mode !== "measured" || !parsed.run) {
    throw new LoadConfigError(
      "--latency-from",
      file,
      "a result.json of a measured (not simulated) run is allowed",
    );
  }
  const latency = { feed: 0, profile: 0, likes: 0, chat: 0, ai: 0, payments: 0 };
  for (const o of parsed.run.operations) if (o.op in latency) latency[o.op as Operation] = o.p50Ms;
  return latency;
}

function write(dir: string, result: LoadResultFile): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "result.json");
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

async function render(io: LoadCommandIo, dir: string, result: LoadResultFile): Promise<boolean> {
  try {
    const written = await writeLoadReport(
      result.mode === "measured" ? reportOfRun(result) : reportOfSimulation(result),
      dir,
    );
    io.out(`report: ${written.html}\ncharts: ${written.pngs.join(", ")}`);
    return true;
  } catch (error) {
    io.out(`report NOT written: ${(error as Error).message}`);
    return false;
  }
}

function watchedOf(platform: Platform): WatchedProcess[] {
  const cores = cpus().length;
  return [
    { name: "pubsub emulator", pid: platform.emulators.pubsub.pid, coreLimit: cores, group: true },
    {
      name: "firestore emulator",
      pid: platform.emulators.firestore.pid,
      coreLimit: cores,
      group: true,
    },
    { name: "redis-server", pid: platform.redisServer.pid, coreLimit: 1, group: true },
    ...platform.services.map((s) => ({ name: s.service, pid: s.pid, coreLimit: 1, group: true })),
  ];
}

/** The run's usage model and the scale report's 20M-user projection, each file read once. */
interface CostModels {
  readonly usage: UsageModel;
  readonly twentyMillion: ReturnType<typeof twentyMillionProjection>;
}

function costModels(o: LoadCommandOptions, io: LoadCommandIo): CostModels {
  const usagePath = resolve(io.rootDir, o.usageFile);
  const twentyMillionPath = resolve(io.rootDir, TWENTY_MILLION_USAGE_FILE);
  const usage = loadUsageModel(usagePath);
  const twentyMillionModel =
    usagePath === twentyMillionPath ? usage : loadUsageModel(twentyMillionPath);
  return { usage, twentyMillion: twentyMillionProjection(twentyMillionModel) };
}

async function simulate(
  o: LoadCommandOptions,
  io: LoadCommandIo,
  name: string,
  dir: string,
  { usage, twentyMillion }: CostModels,
): Promise<number> {
  const latency = o.latencyFrom ? latencyFrom(resolve(o.latencyFrom)) : undefined;
  const simulation = simulateLoad({
    mix: o.mix,
    users: o.users,
    ratePerSecond: o.ratePerSecond,
    durationSeconds: o.durationSeconds,
    rampUpSeconds: o.rampUpSeconds,
    latencyMillis: latency,
    latencySource: o.latencyFrom ? `measured p50 from ${o.latencyFrom}` : undefined,
    usage,
    shard: o.shard,
  });
  const result: LoadResultFile = {
    kind: "avalo-load-result",
    version: 1,
    mode: "simulation",
    name,
    notice: simulation.notice,
    verdict: "not evaluated (model)",
    simulation,
    cost: { load: simulation.cost, twentyMillion },
  };
  io.out(formatSimulation(simulation));
  io.out(formatLoadCost(simulation.cost));
  io.out(formatTwentyMillion(twentyMillion));
  io.out(`result: ${write(dir, result)}`);
  await render(io, dir, result);
  io.out(`*** ${simulation.notice} ***`);
  return 0;
}

async function measure(
  o: LoadCommandOptions,
  io: LoadCommandIo,
  name: string,
  dir: string,
  { usage, twentyMillion }: CostModels,
): Promise<number> {
  if (o.target === "staging") {
    assertNotProduction({
      urls: [o.url!],
      projectId: o.project,
      productionProjects: productionProjects(io.rootDir),
      allowProduction: o.allowProduction,
    });
  }
  const seed = o.seed ?? newSeed();
  io.out(
    `avalo load: target ${o.target}${o.url ? ` ${o.url}` : ""}, ${o.users} users, ${o.ratePerSecond ?? LOAD_DEFAULTS.ratePerSecond} ops/s, ${o.durationSeconds} s (ramp-up ${o.rampUpSeconds} s), seed ${seed} (--seed ${seed} repeats the sequence)`,
  );
  let platform: Platform | undefined;
  let target: LoadTarget | undefined;
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let run: LoadRun;
  try {
    let watch: WatchedProcess[] = [];
    if (o.target === "local") {
      const { startPlatform } = await import("../local/platform");
      io.out("starting the local platform...");
      platform = await startPlatform({
        rootDir: io.rootDir,
        region: o.region,
        log: (line) => io.out(`  ${line}`),
      });
      const services = new Map(platform.services.map((s) => [s.service, s.url]));
      target = platformTarget({
        urlFor: (service) => {
          const url = services.get(service);
          if (!url) throw new Error(`service ${service} is not running on the local platform`);
          return url;
        },
        tokens: noIdTokens,
        publisher: platform.publisher,
        maxSockets: o.maxInFlight,
      });
      watch = watchedOf(platform);
    } else {
      const url = o.url!;
      target = httpTarget({
        urlFor: (service) => url.replace(/\{service\}/g, service),
        tokens: o.auth === "none" ? noIdTokens : googleIdTokens(),
        maxSockets: o.maxInFlight,
      });
    }
    const progress = progressWriter(io.err);
    run = await runLoad({
      target,
      mix: o.mix,
      users: o.users,
      ratePerSecond: o.ratePerSecond,
      durationSeconds: o.durationSeconds,
      rampUpSeconds: o.rampUpSeconds,
      maxInFlight: o.maxInFlight,
      seed,
      shard: o.shard,
      thresholds: o.thresholds,
      watch,
      generatorLabel: platform ? "load generator (+ in-process publisher)" : "load generator",
      onProgress: (p) => progress.update(p),
      signal: abort.signal,
    });
    progress.done();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await target?.close();
    if (platform) {
      io.out("stopping the local platform...");
      await platform.stop();
    }
  }
  const cost = projectLoadCost(usage, measuredMix(run), run.opsPerSecond.steady, o.durationSeconds);
  const result: MeasuredResult = {
    kind: "avalo-load-result",
    version: 1,
    mode: "measured",
    name,
    target: {
      kind: o.target,
      url: o.url,
      project: o.project,
      startupMillis: platform?.startupMillis,
    },
    seed: run.seed,
    verdict: run.thresholds.passed ? "pass" : "fail",
    run,
    cost: { load: cost, twentyMillion },
  };
  io.out(
    `\nper operation (latency from each arrival's intended start; svc = service time from the actual send):`,
  );
  io.out(formatOperations(run));
  io.out(
    `ops/s: ${run.opsPerSecond.steady} steady (after ramp-up), ${run.opsPerSecond.overall} overall; scheduler lag p99 ${run.schedulerLag.p99Ms} ms${run.aborted ? "; STOPPED EARLY by a signal" : ""}`,
  );
  io.out(formatErrors(run));
  io.out(formatThresholds(run));
  io.out(formatSaturation(run));
  io.out(formatLoadCost(cost));
  io.out(formatTwentyMillion(twentyMillion));
  io.out(`seed: ${run.seed}`);
  io.out(`result: ${write(dir, result)}`);
  const rendered = await render(io, dir, result);
  return run.thresholds.passed && rendered ? 0 : 1;
}

/** Runs `avalo load`; resolves to the exit code. */
export async function runLoadCommand(
  argv: readonly string[],
  io: LoadCommandIo = defaultIo(),
): Promise<number> {
  let options: LoadCommandOptions;
  try {
    options = parseLoadArgs(argv, io.env);
  } catch (error) {
    io.err.write(`${(error as Error).message}\nsee: avalo load --help\n`);
    return 2;
  }
  if (options.help) {
    io.out(LOAD_USAGE);
    return 0;
  }
  const name = options.name ?? new Date().toISOString().replace(/[:.]/g, "-");
  const dir = resolve(io.rootDir, options.outDir, name);
  try {
    const models = costModels(options, io);
    return options.simulate
      ? await simulate(options, io, name, dir, models)
      : await measure(options, io, name, dir, models);
  } catch (error) {
    if (
      error instanceof LoadConfigError ||
      error instanceof ProductionTargetError ||
      error instanceof UsageModelError
    ) {
      io.err.write(`${error.message}\n`);
      return 2;
    }
    io.err.write(`avalo load failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
