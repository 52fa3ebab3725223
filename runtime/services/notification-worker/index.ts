import { serviceEntry } from "../server/entry";
import { buildNotificationWorker } from "./app";

/** Entry point of notification-worker: the Functions Framework target `handler`, or `node index.js`. */
export const { handler, start } = serviceEntry("notification-worker", buildNotificationWorker);

if (require.main === module) void start();
