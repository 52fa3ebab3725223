import { skipStackTraces } from "./stack-traces";
import { main } from "./worker";

/**
 * Entry point of the compiled preview worker (cli/preview/worker-bundle.ts): the worker of
 * worker.ts without stack traces. Program failures are rerun from the sources by the parent.
 */
skipStackTraces();
void main();
