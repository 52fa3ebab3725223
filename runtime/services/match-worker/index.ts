import { serviceEntry } from "../server/entry";
import { buildMatchWorker } from "./app";

/** Entry point of match-worker: `node index.js` in its bundle archive (SERVICE_CONTAINER). */
export const { start } = serviceEntry("match-worker", buildMatchWorker);

if (require.main === module) void start();
