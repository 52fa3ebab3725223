import { fork, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parsePreviewArgs } from "../cli/preview/options";
import type { StackOutcome } from "../cli/preview/outcome";
import { runPreview } from "../cli/preview/run";
import { WORKER_NODE_FLAGS } from "../cli/preview/speed";
import { result, type Benchmark, type BenchResult } from "./harness";

/**
 * The offline preview's cost. `all-stacks` times `avalo preview` of the three shipped stacks as a
 * user runs it (one command, wall and CPU of the whole process tree). `per-stack` previews the
 * stacks one at a time (so that no worker shares a core with another) and compares each stack's
 * registration time with the floor: the bare mock runtime registering the same number of plain
 * resources, measured in the same run under the worker's runtime settings (and, as
 * `floorSdkDefaultsMs`, under the SDK's defaults), counts the SDK promises and properties each
 * creates per resource in a separate untimed run (bench/sdk-promises.ts), and measures a second
 * floor whose plain resources have the stack's mean number of properties (`matchedFloorCpuMs`):
 * the SDK's own cost for that much state, so the ratio to it is the program's overhead. `synthetic-<n>` runs the real Pipeline
 * component for a synthetic topology — the six regions (three geographies of two) with n
 * pipelines in each geography — and times registration per resource against the floor. Each
 * measurement runs in a fresh child process (the Pulumi runtime is global).
 */

const ROOT = resolve(__dirname, "..");
const SIZES = [8, 32, 128] as const;
const FLOOR_TYPE = "avalo:bench:Plain";

type ChildMode = "synthetic" | "floor" | "floor-sdk-defaults" | "floor-matched";

interface ChildReply {
  readonly resources: number;
  readonly ms: number;
  /** CPU time (user + system) of the child during the measurement. */
  readonly cpuMs: number;
}

/**
 * Runs this file as a child in `mode` with the given Node flags, returning what it measured. The
 * per-stack floors run with the compiled workers' flags (`WORKER_NODE_FLAGS`); `floor-matched`
 * gives each plain resource `propertiesPerResource` properties instead of two. The SDK-defaults
 * floor, and the synthetic topology with its floor (which measure how the cost grows, up to
 * 4,000 resources in one process), with none.
 */
function child(
  mode: ChildMode,
  count: number,
  flags: readonly string[] = mode === "floor" || mode === "floor-matched" ? WORKER_NODE_FLAGS : [],
  propertiesPerResource = 2,
): Promise<ChildReply> {
  return new Promise((done, fail) => {
    const proc = fork(__filename, [mode, String(count), String(propertiesPerResource)], {
      execArgv: [...flags, "--require", require.resolve("tsx/cjs")],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let reply: ChildReply | undefined;
    proc.on("message", (m) => (reply = m as ChildReply));
    proc.on("exit", (code) =>
      reply ? done(reply) : fail(new Error(`bench child ${mode} ${count} exited ${code}`)),
    );
  });
}

const COUNT_PRELOAD = join(__dirname, "sdk-promises.ts");

/** What bench/sdk-promises.ts counted. */
interface SdkCounts {
  /** Debuggable promises. */
  readonly promises: number;
  /** Resource properties the SDK turned into outputs (`transferProperties`). */
  readonly properties: number;
}

/**
 * How many SDK debuggable promises the child processes `run` starts create (a separate, untimed
 * run: they load the counting preload through NODE_OPTIONS).
 */
async function countSdkPromises(run: () => Promise<unknown>): Promise<SdkCounts> {
  const dir = mkdtempSync(join(tmpdir(), "avalo-bench-count-"));
  const file = join(dir, "count");
  const saved = { options: process.env.NODE_OPTIONS, file: process.env.SDK_PROMISE_COUNT_FILE };
  process.env.NODE_OPTIONS = `--require ${require.resolve("tsx/cjs")} --require ${COUNT_PRELOAD}`;
  process.env.SDK_PROMISE_COUNT_FILE = file;
  try {
    await run();
    return JSON.parse(readFileSync(file, "utf8")) as SdkCounts;
  } finally {
    for (const [key, value] of [
      ["NODE_OPTIONS", saved.options],
      ["SDK_PROMISE_COUNT_FILE", saved.file],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU milliseconds of this process's waited-for children (Linux `/proc/self/stat`), if known. */
function childrenCpuMs(): number | undefined {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    // cutime and cstime are fields 16 and 17 of stat(5), in clock ticks (100 per second).
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

const programPath = () => {
  const real = join(ROOT, "stacks", "index.ts");
  return existsSync(real) ? real : join(ROOT, "test", "cli", "fixtures", "program.ts");
};

/** Runs `avalo preview` of every stack as a user does; wall and CPU ms, resources registered. */
function previewAllStacks(): Promise<
  ChildReply & { cpuMs: number; exitCode: number; program: string }
> {
  const out = mkdtempSync(join(tmpdir(), "avalo-bench-plan-"));
  const args = ["--require", require.resolve("tsx/cjs"), join(ROOT, "cli", "avalo.ts")];
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  return new Promise((done) => {
    const proc = spawn(
      process.execPath,
      [...args, "preview", "--program", programPath(), "--out", out],
      {
        cwd: ROOT,
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    proc.on("exit", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const cpuAfter = childrenCpuMs();
      const resources = readdirSync(out)
        .map((f) => JSON.parse(readFileSync(join(out, f), "utf8")) as { resources: unknown[] })
        .reduce((n, plan) => n + plan.resources.length, 0);
      rmSync(out, { recursive: true, force: true });
      done({
        ms,
        cpuMs: cpuBefore === undefined || cpuAfter === undefined ? NaN : cpuAfter - cpuBefore,
        resources,
        exitCode: code ?? 1,
        program: programPath().slice(ROOT.length + 1),
      });
    });
  });
}

/** Previews the stacks (or one) one at a time and returns each stack's outcome. */
async function previewOneAtATime(stack?: string): Promise<readonly StackOutcome[]> {
  const out = mkdtempSync(join(tmpdir(), "avalo-bench-plan-"));
  const only = stack ? ["--stack", stack] : [];
  const options = parsePreviewArgs(
    ["--program", programPath(), "--out", out, "--jobs", "1", ...only],
    ROOT,
  );
  const quiet = { out: () => undefined, err: () => undefined };
  const { outcomes } = await runPreview(options, quiet);
  rmSync(out, { recursive: true, force: true });
  return outcomes;
}

const perResource = (r: ChildReply) => r.ms / r.resources;
const loadAverage = () => Number(loadavg()[0].toFixed(2));

export const benchmarks: Benchmark[] = [
  {
    name: "all-stacks",
    async run(): Promise<BenchResult> {
      await previewAllStacks(); // warm-up: compiles the worker bundle if the sources changed
      const load = loadAverage();
      const preview = await previewAllStacks();
      const floor = await child("floor", preview.resources);
      const floorSdkDefaults = await child("floor-sdk-defaults", preview.resources);
      return result({
        name: "all-stacks",
        metric: "ms wall (3 stacks, one command, workers compiled and cached)",
        value: preview.ms,
        baseline: { name: "bare mock runtime, same resource count (ms)", value: floor.ms },
        target: "wall < 5000 ms",
        check: (_ratio, value) => value < 5000 && preview.exitCode === 0,
        figures: {
          resources: preview.resources,
          exitCode: preview.exitCode,
          program: preview.program,
          cpuMs: preview.cpuMs,
          msPerResource: preview.ms / Math.max(1, preview.resources),
          floorCpuMs: floor.cpuMs,
          cpuToFloorCpu: preview.cpuMs / floor.cpuMs,
          floorSdkDefaultsMs: floorSdkDefaults.ms,
          loadAverage1m: load,
        },
      });
    },
  },
  {
    name: "per-stack",
    async run(): Promise<BenchResult[]> {
      const outcomes = await previewOneAtATime();
      const results: BenchResult[] = [];
      for (const o of outcomes) {
        if (!o.plan || !o.timing) throw new Error(`preview of ${o.stack} failed`);
        const resources = o.plan.resources.length;
        const floor = await child("floor", resources);
        const floorSdkDefaults = await child("floor-sdk-defaults", resources);
        const counts = await countSdkPromises(() => previewOneAtATime(o.stack));
        const floorCounts = await countSdkPromises(() => child("floor", resources));
        const propertiesPerResource = Math.round(counts.properties / resources);
        const matched = await child("floor-matched", resources, undefined, propertiesPerResource);
        results.push(
          result({
            name: `per-stack-${o.stack}`,
            metric: "CPU ms registering the stack's resources under the mocks",
            value: o.timing.registerCpuMs,
            baseline: {
              name: "bare mock runtime, same resource count (CPU ms)",
              value: floor.cpuMs,
            },
            target: "ratio <= 1.5",
            check: (ratio) => ratio <= 1.5,
            figures: {
              resources,
              registerWallMs: o.timing.registerMs,
              floorWallMs: floor.ms,
              registerWallToFloorWall: o.timing.registerMs / floor.ms,
              workerWallMs: o.ms,
              workerCpuMs: o.timing.cpuMs,
              startupMs: o.timing.startupMs,
              programLoadMs: o.timing.loadMs,
              programMs: o.programMs ?? NaN,
              checksMs: o.timing.checksMs,
              programToFloor: (o.programMs ?? NaN) / floor.ms,
              floorSdkDefaultsCpuMs: floorSdkDefaults.cpuMs,
              registerCpuToFloorSdkDefaultsCpu: o.timing.registerCpuMs / floorSdkDefaults.cpuMs,
              sdkPromisesPerResource: counts.promises / resources,
              floorSdkPromisesPerResource: floorCounts.promises / resources,
              propertiesPerResource,
              matchedFloorCpuMs: matched.cpuMs,
              registerCpuToMatchedFloorCpu: o.timing.registerCpuMs / matched.cpuMs,
              loadAverage1m: loadAverage(),
            },
          }),
        );
      }
      return results;
    },
  },
  {
    name: "synthetic",
    async run(): Promise<BenchResult[]> {
      const results: BenchResult[] = [];
      let first: number | undefined;
      for (const n of SIZES) {
        const synthetic = await child("synthetic", n);
        const floor = await child("floor", synthetic.resources, []);
        first ??= perResource(synthetic);
        results.push(
          result({
            name: `synthetic-6-regions-x-${n}-pipelines`,
            metric: "ms per registered resource",
            value: perResource(synthetic),
            baseline: {
              name: "bare mock runtime, ms per plain resource",
              value: perResource(floor),
            },
            target: "ratio <= 1.5",
            check: (ratio) => ratio <= 1.5,
            figures: {
              resources: synthetic.resources,
              totalMs: synthetic.ms,
              floorTotalMs: floor.ms,
              cpuMs: synthetic.cpuMs,
              floorCpuMs: floor.cpuMs,
              cpuToFloorCpu: synthetic.cpuMs / floor.cpuMs,
              perResourceVsSmallest: perResource(synthetic) / first,
            },
          }),
        );
      }
      return results;
    },
  },
];

/** Child: register a synthetic topology or plain resources under the mocks, report the time. */
async function childMain(mode: string, count: number, properties: number): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const deferral =
    require("../cli/preview/speed/deferred-modules") as typeof import("../cli/preview/speed/deferred-modules");
  deferral.deferUnusedPulumiModules();
  process.setSourceMapsEnabled(false); // as the preview worker does, for both subject and floor
  const traces =
    require("../cli/preview/speed/stack-traces") as typeof import("../cli/preview/speed/stack-traces");
  if (mode !== "floor-sdk-defaults") traces.skipStackTraces();
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  const { runOffline } =
    require("../stacks/offline/mocks") as typeof import("../stacks/offline/mocks");
  const program =
    mode === "synthetic"
      ? syntheticTopology(count)
      : () => plainResources(pulumi, count, properties);
  /* eslint-enable @typescript-eslint/no-require-imports */
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const { resources } = await runOffline({ project: "avalo", stack: "bench" }, program);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  const reply: ChildReply = {
    resources: resources.length,
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  process.send?.(reply, () => process.exit(0));
}

function plainResources(
  pulumi: typeof import("@pulumi/pulumi"),
  count: number,
  properties: number,
): unknown[] {
  class Plain extends pulumi.CustomResource {
    constructor(name: string, index: number) {
      const inputs: Record<string, unknown> = { index, label: "plain" };
      for (let p = 2; p < properties; p++) inputs[`property${p}`] = `value-${p}`;
      super(FLOOR_TYPE, name, inputs);
    }
  }
  return Array.from({ length: count }, (_, i) => new Plain(`plain-${i}`, i));
}

/** Loads the components first, so the timed part is registration only (as for the floor). */
function syntheticTopology(perGeography: number): () => unknown[] {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Apis } = require("../components/apis") as typeof import("../components/apis");
  const { Pipeline } = require("../components/pipeline") as typeof import("../components/pipeline");
  const { PIPELINES } =
    require("../runtime/catalog/pipelines") as typeof import("../runtime/catalog/pipelines");
  const topology = require("../runtime/topology") as typeof import("../runtime/topology");
  /* eslint-enable @typescript-eslint/no-require-imports */
  return () =>
    topology.GEOGRAPHY_IDS.flatMap((id) => {
      const geography = topology.GEOGRAPHIES[id];
      const project = `${geography.projectId}-bench`;
      const regions = geography.regions.map((r) => ({
        id: r,
        gcpRegion: topology.REGIONS[r].gcpRegion,
      }));
      const apis = new Apis(`apis-${id}`, { project });
      const pushEndpoints = Object.fromEntries(
        regions.map((r) => [r.id, `https://consumer-${r.id}.a.run.app`]),
      );
      return Array.from({ length: perGeography }, (_, i) => {
        const base = PIPELINES[i % PIPELINES.length];
        const topic = `avalo-synthetic-${i}`;
        const spec = {
          ...base,
          topic,
          deadLetterTopic: `${topic}-dlq`,
          bigQueryTable: undefined,
        };
        return new Pipeline(`${id}-synthetic-${i}`, {
          project,
          geography,
          environment: "prod",
          regions,
          apis,
          spec,
          kmsKeyName: `projects/${project}/locations/${regions[0].gcpRegion}/keyRings/avalo/cryptoKeys/pubsub`,
          pushEndpoints,
        });
      });
    });
}

if (require.main === module) {
  void childMain(process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 2));
}
