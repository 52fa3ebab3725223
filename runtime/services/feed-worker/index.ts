import { serviceEntry } from "../server/entry";
import { buildFeedWorker } from "./app";

/** Entry point of feed-worker: `node index.js` in its bundle archive (SERVICE_CONTAINER). */
export const { start } = serviceEntry("feed-worker", buildFeedWorker);

if (require.main === module) void start();
