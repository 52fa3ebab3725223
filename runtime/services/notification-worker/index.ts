import { serviceEntry } from "../server/entry";
import { buildNotificationWorker } from "./app";

/** Entry point of notification-worker: `node index.js` in its bundle archive (SERVICE_CONTAINER). */
export const { start } = serviceEntry("notification-worker", buildNotificationWorker);

if (require.main === module) void start();
