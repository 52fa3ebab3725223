import { fork } from "node:child_process";
import { join } from "node:path";
import { workerBundle } from "../../../build/worker-bundle";
import type { WorkerJob, WorkerReply } from "../worker";
import { WORKER_NODE_FLAGS } from "./node-flags";

/** The compiled worker's entry point: the worker of ../worker.ts without stack traces. */
const WORKER_ENTRY = join(__dirname, "worker-entry.ts");

/** A stack's reply and the wall time of its worker(s), in milliseconds. */
export interface WorkerRun {
  readonly reply: WorkerReply;
  readonly ms: number;
}

/**
 * Runs one worker process per job, `size` at a time, and returns the replies in job order. Each
 * worker runs the compiled worker and program (build/worker-bundle.ts) with plain `node`. A stack whose
 * program fails there is run again from the TypeScript sources under tsx with full stack traces,
 * so that its report names the source lines; so is every stack if the sources do not compile.
 */
export async function runWorkers(jobs: readonly WorkerJob[], size: number): Promise<WorkerRun[]> {
  const programs = [...new Set(jobs.map((job) => job.program))];
  const bundles = new Map(
    await Promise.all(programs.map(async (p) => [p, await workerBundle(WORKER_ENTRY, p)] as const)),
  );
  return inPool(jobs, size, async (job) => {
    const started = Date.now();
    const bundle = bundles.get(job.program);
    if (bundle) {
      const compiled = { ...job, program: bundle.program };
      const reply = await runWorker(bundle.worker, compiled, WORKER_NODE_FLAGS);
      if (reply.ok || reply.kind === "config") return { reply, ms: Date.now() - started };
    }
    const tsx = ["--require", require.resolve("tsx/cjs")];
    const reply = await runWorker(join(__dirname, "..", "worker.ts"), job, tsx);
    return { reply, ms: Date.now() - started };
  });
}

async function inPool<T, R>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, lane));
  return results;
}

/** Forks `entry` with the job and waits for its reply. */
function runWorker(
  entry: string,
  job: WorkerJob,
  execArgv: readonly string[],
): Promise<WorkerReply> {
  return new Promise((resolveReply) => {
    const child = fork(entry, [JSON.stringify(job)], {
      execArgv: [...execArgv],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: { ...process.env, METADATA_SERVER_DETECTION: "none" },
    });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    let reply: WorkerReply | undefined;
    child.on("message", (m) => (reply = m as WorkerReply));
    child.on("exit", (code, signal) => {
      const failure: WorkerReply = {
        ok: false,
        stack: job.stack,
        kind: "program",
        message: `preview worker exited (${signal ?? code}) without a result\n${output.trim()}`,
      };
      resolveReply(reply ?? failure);
    });
  });
}
