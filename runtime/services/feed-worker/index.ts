import { serviceEntry } from "../server/entry";
import { buildFeedWorker } from "./app";

/** Entry point of feed-worker: the Functions Framework target `handler`, or `node index.js`. */
export const { handler, start } = serviceEntry("feed-worker", buildFeedWorker);

if (require.main === module) void start();
