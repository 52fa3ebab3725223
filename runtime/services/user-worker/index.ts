import { serviceEntry } from "../server/entry";
import { buildUserWorker } from "./app";

/** Entry point of user-worker: the Functions Framework target `handler`, or `node index.js`. */
export const { handler, start } = serviceEntry("user-worker", buildUserWorker);

if (require.main === module) void start();
