import { serviceEntry } from "../server/entry";
import { buildUserWorker } from "./app";

/** Entry point of user-worker: `node index.js` in its bundle archive (SERVICE_CONTAINER). */
export const { start } = serviceEntry("user-worker", buildUserWorker);

if (require.main === module) void start();
