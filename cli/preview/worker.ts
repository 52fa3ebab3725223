import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Plan } from "../../plan/record";
import { deferUnusedPulumiModules } from "./speed/deferred-modules";
import type { Finding } from "./findings";
import { buildPlan, canonicalJson } from "./plan";
import { checkConstraints } from "./constraints";
import { stackCostText } from "./cost";
import { allowDestroyEntries } from "../../policies/rules/stateful";
import { evaluatePolicies, readPolicyConfig, withStackBudget, withStatefulGuard } from "./policies";
import { readStackFiles, StackFileError } from "./stack-files";
import { stackUsageModel } from "./usage-model";
import { geographyForStack } from "../../runtime/topology";

/**
 * One stack's offline preview, run in its own child process (the Pulumi runtime's state is global
 * to a process): read the stack's config, run the program under the mocks, build the plan and
 * check it. The parent forks this file with the job as JSON in argv[2] and receives the reply
 * over IPC.
 */
export interface WorkerJob {
  readonly stack: string;
  /** Directory holding `Pulumi.yaml` and `Pulumi.<stack>.yaml`. */
  readonly configDir: string;
  /** Absolute path of the program's entry module. */
  readonly program: string;
  /** Absolute directories rewritten to `.` in the plan. */
  readonly roots: readonly string[];
  /** Directory of per-stack policy config (`<stack>.json`), as given to `--policy-pack-config`. */
  readonly policyConfigDir: string;
  /** Where the worker writes the stack's plan (`<stack>.json`). */
  readonly outDir: string;
  /** Directory of base plans (`--base`): the stateful-destroy policy compares against them. */
  readonly base?: string;
}

export type WorkerReply =
  | {
      readonly ok: true;
      readonly stack: string;
      readonly plan: Plan;
      readonly findings: readonly Finding[];
      /** Time spent running the program under the mocks, in milliseconds. */
      readonly programMs: number;
      /** Where the worker's time went. */
      readonly timing: WorkerTiming;
      /** The stack's part of the cost section (cost.ts `stackCostText`). */
      readonly costText: string;
      /** The stack's usage model file (`avalo:usageModel`), resolved, when it sets one. */
      readonly usageModel?: string;
      /** The stack config's `avalo:allowDestroy` entries. */
      readonly allowDestroy: readonly string[];
    }
  | {
      readonly ok: false;
      readonly stack: string;
      /** `config`: bad stack config or stack files; `program`: the program threw. */
      readonly kind: "config" | "program";
      readonly message: string;
    };

/** Where a worker's time went, in milliseconds (the benchmark reports it). */
export interface WorkerTiming {
  /** From the process's start until the program starts: Node, the worker's modules, Pulumi. */
  readonly startupMs: number;
  /** Loading the program's modules and running its top level (part of `programMs`). */
  readonly loadMs: number;
  /** From then until every resource has settled: registration (the rest of `programMs`). */
  readonly registerMs: number;
  /** CPU time (user + system) of the process during `registerMs`. */
  readonly registerCpuMs: number;
  /** Plan, plan file, constraints, policies and cost, after the program. */
  readonly checksMs: number;
  /** CPU time (user + system) of the worker process until its reply. */
  readonly cpuMs: number;
}

/** A `StackConfigError` from stacks/config.ts (matched by name: this file must not load it early). */
function isConfigError(err: unknown): err is Error {
  return err instanceof Error && (err.name === "StackConfigError" || err instanceof StackFileError);
}

function loadModule<T>(path: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path) as T;
}

/** The plan `<stack>.json` in `dir`, or undefined when there is none. */
function readPlan(dir: string, stack: string): Plan | undefined {
  const file = join(dir, `${stack}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Plan) : undefined;
}

/** Runs one stack. Must run in a process of its own, once. */
async function previewStack(job: WorkerJob): Promise<WorkerReply> {
  const { stack } = job;
  try {
    const files = readStackFiles(job.configDir, stack);
    const usage = stackUsageModel(files.config, job.configDir);
    deferUnusedPulumiModules();
    // Pulumi formats a stack trace for every resource and promise; mapping each through tsx's
    // source maps costs more than registering the resource. Errors turn mapping back on below.
    process.setSourceMapsEnabled(false);
    // Required here, after the deferral is installed (a static import would load Pulumi first);
    // literal `require`s so that the compiled worker (build/worker-bundle.ts) contains them.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { runOffline } =
      require("../../stacks/offline/mocks") as typeof import("../../stacks/offline/mocks");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const startupMs = performance.now();
    const started = process.hrtime.bigint();
    let loaded = started;
    let loadedCpu = process.cpuUsage();
    const { resources } = await runOffline(
      { project: files.project, stack, config: files.config, secretKeys: files.secretKeys },
      () => {
        const program = loadModule<unknown>(resolve(job.program));
        loaded = process.hrtime.bigint();
        loadedCpu = process.cpuUsage();
        return program;
      },
    );
    const finished = process.hrtime.bigint();
    const registerCpu = process.cpuUsage(loadedCpu);
    const programMs = Number(finished - started) / 1e6;
    const registerMs = Number(finished - loaded) / 1e6;
    const plan = buildPlan(resources, {
      project: files.project,
      stack,
      geography: geographyForStack(stack)?.id ?? "",
      roots: job.roots,
    });
    mkdirSync(job.outDir, { recursive: true });
    writeFileSync(join(job.outDir, `${stack}.json`), canonicalJson(plan));
    const policyConfig = withStatefulGuard(
      withStackBudget(
        readPolicyConfig(job.policyConfigDir, stack),
        files.config,
        plan.geography,
        usage?.path,
      ),
      files.config,
      job.base ? readPlan(job.base, stack) : undefined,
    );
    const findings = [
      ...checkConstraints(plan),
      ...(await evaluatePolicies(plan.resources, policyConfig)),
    ];
    const costText = stackCostText(stack, plan, usage?.model);
    const cpu = process.cpuUsage();
    const timing: WorkerTiming = {
      startupMs,
      loadMs: programMs - registerMs,
      registerMs,
      registerCpuMs: (registerCpu.user + registerCpu.system) / 1000,
      checksMs: Number(process.hrtime.bigint() - finished) / 1e6,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
    return {
      ok: true,
      stack,
      plan,
      findings,
      programMs,
      timing,
      costText,
      usageModel: usage?.path,
      allowDestroy: allowDestroyEntries(files.config),
    };
  } catch (err) {
    process.setSourceMapsEnabled(true);
    const kind = isConfigError(err) ? "config" : "program";
    const message =
      err instanceof Error ? (kind === "config" ? err.message : String(err.stack)) : String(err);
    return { ok: false, stack, kind, message };
  }
}

/** Runs the job in argv[2] and sends the reply to the parent (the worker's process entry). */
export async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? "{}") as WorkerJob;
  const failed = (err: unknown) => {
    process.setSourceMapsEnabled(true);
    const message = err instanceof Error ? String(err.stack) : String(err);
    const reply: WorkerReply = { ok: false, stack: job.stack, kind: "program", message };
    process.send?.(reply, () => process.exit(0));
  };
  process.on("unhandledRejection", failed);
  const reply = await previewStack(job);
  process.send?.(reply, () => process.exit(0));
}

if (require.main === module) void main();
