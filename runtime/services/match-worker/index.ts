import { serviceEntry } from "../server/entry";
import { buildMatchWorker } from "./app";

/** Entry point of match-worker: the Functions Framework target `handler`, or `node index.js`. */
export const { handler, start } = serviceEntry("match-worker", buildMatchWorker);

if (require.main === module) void start();
