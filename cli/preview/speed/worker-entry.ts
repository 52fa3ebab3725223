import { main } from "../worker";
import { skipStackTraces } from "./stack-traces";

/**
 * Entry point of the compiled preview worker (build/worker-bundle.ts): the worker of
 * ../worker.ts without stack traces. Program failures are rerun from the sources by the parent.
 */
skipStackTraces();
void main();
