/**
 * What makes `avalo preview` fast without changing a byte of its output. Each stack still runs
 * in a process of its own (the Pulumi runtime's state is global to a process); these pieces
 * only cut what those processes spend:
 *
 * - `pool.ts`: one worker process per stack, `--jobs` at a time, each running the worker and
 *   the program compiled once by esbuild (build/worker-bundle.ts) with plain `node`, so no
 *   TypeScript transform runs at start-up (~40% of a worker's start under tsx). A program that
 *   fails there is run again from its sources, so its report names the TypeScript lines.
 * - `node-flags.ts`: `--no-opt` for the compiled workers; short-lived code gains nothing from
 *   V8's optimizing compiler (~2 of ~9 CPU-seconds on two cores).
 * - `deferred-modules.ts`: Pulumi's closure serialization, Automation API, gRPC clients and the
 *   Firestore client load on first use instead of at import (~0.8 s of a worker's start-up).
 * - `stack-traces.ts`: the compiled worker captures no stack frames for the SDK's promises
 *   (~30% of a program's run); failures get full traces from the rerun.
 * - `worker-entry.ts`: the compiled worker's entry point, which turns the traces off.
 *
 * The worker (../worker.ts) and its compiled entry import the deferral and the trace switch from
 * their files, so that a worker loads nothing of the pool.
 */
export { WORKER_NODE_FLAGS } from "./node-flags";
export { runWorkers } from "./pool";
