import { fork, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { result, type Benchmark, type BenchResult } from "./harness";

/**
 * The offline preview's cost. `all-stacks` times `avalo preview` of the three shipped stacks as
 * one command (wall, with start-up). `synthetic-<n>` runs the real Pipeline component for a
 * synthetic topology — the six regions (three geographies of two) with n pipelines in each
 * geography — and times registration per resource. Every figure is compared with the floor
 * measured in the same run: the bare mock runtime registering the same number of plain
 * resources. Each measurement runs in a fresh child process (the Pulumi runtime is global).
 */

const ROOT = resolve(__dirname, "..");
const SIZES = [8, 32, 128] as const;
const FLOOR_TYPE = "avalo:bench:Plain";

interface ChildReply {
  readonly resources: number;
  readonly ms: number;
}

/** Runs this file as a child in `mode`, returning what it measured. */
function child(mode: "synthetic" | "floor", count: number): Promise<ChildReply> {
  return new Promise((done, fail) => {
    const proc = fork(__filename, [mode, String(count)], {
      execArgv: ["--require", require.resolve("tsx/cjs")],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let reply: ChildReply | undefined;
    proc.on("message", (m) => (reply = m as ChildReply));
    proc.on("exit", (code) =>
      reply ? done(reply) : fail(new Error(`bench child ${mode} ${count} exited ${code}`)),
    );
  });
}

/** Runs `avalo preview` of every stack; returns wall milliseconds and resources registered. */
function previewAllStacks(): Promise<ChildReply & { exitCode: number; program: string }> {
  const out = mkdtempSync(join(tmpdir(), "avalo-bench-plan-"));
  const real = join(ROOT, "stacks", "index.ts");
  const program = existsSync(real) ? real : join(ROOT, "test", "cli", "fixtures", "program.ts");
  const args = ["--require", require.resolve("tsx/cjs"), join(ROOT, "cli", "avalo.ts")];
  const started = process.hrtime.bigint();
  return new Promise((done) => {
    const proc = spawn(process.execPath, [...args, "preview", "--program", program, "--out", out], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
    });
    proc.on("exit", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const resources = readdirSync(out)
        .map((f) => JSON.parse(readFileSync(join(out, f), "utf8")) as { resources: unknown[] })
        .reduce((n, plan) => n + plan.resources.length, 0);
      rmSync(out, { recursive: true, force: true });
      done({ ms, resources, exitCode: code ?? 1, program: program.slice(ROOT.length + 1) });
    });
  });
}

const perResource = (r: ChildReply) => r.ms / r.resources;

export const benchmarks: Benchmark[] = [
  {
    name: "all-stacks",
    async run(): Promise<BenchResult> {
      const preview = await previewAllStacks();
      const floor = await child("floor", preview.resources);
      return result({
        name: "all-stacks",
        metric: "ms wall (3 stacks, one command, 2 workers)",
        value: preview.ms,
        baseline: { name: "bare mock runtime, same resource count (ms)", value: floor.ms },
        target: "wall < 5000 ms",
        check: (_ratio, value) => value < 5000 && preview.exitCode === 0,
        figures: {
          resources: preview.resources,
          exitCode: preview.exitCode,
          program: preview.program,
          msPerResource: preview.ms / Math.max(1, preview.resources),
        },
      });
    },
  },
  {
    name: "synthetic",
    async run(): Promise<BenchResult[]> {
      const results: BenchResult[] = [];
      let first: number | undefined;
      for (const n of SIZES) {
        const synthetic = await child("synthetic", n);
        const floor = await child("floor", synthetic.resources);
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
async function childMain(mode: string, count: number): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const deferral =
    require("../cli/preview/deferred-modules") as typeof import("../cli/preview/deferred-modules");
  deferral.deferUnusedPulumiModules();
  process.setSourceMapsEnabled(false); // as the preview worker does, for both subject and floor
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  const { runOffline } =
    require("../stacks/offline/mocks") as typeof import("../stacks/offline/mocks");
  const program = mode === "floor" ? () => plainResources(pulumi, count) : syntheticTopology(count);
  /* eslint-enable @typescript-eslint/no-require-imports */
  const started = process.hrtime.bigint();
  const { resources } = await runOffline({ project: "avalo", stack: "bench" }, program);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.send?.({ resources: resources.length, ms } satisfies ChildReply, () => process.exit(0));
}

function plainResources(pulumi: typeof import("@pulumi/pulumi"), count: number): unknown[] {
  class Plain extends pulumi.CustomResource {
    constructor(name: string, index: number) {
      super(FLOOR_TYPE, name, { index, label: "plain" });
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
          name: `synthetic-${i}`,
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

if (require.main === module) void childMain(process.argv[2], Number(process.argv[3]));
