import { serviceEntry } from "../server/entry";
import { buildMediaProcessor } from "./app";

/** Entry point of media-processor: `node index.js` in its bundle archive (SERVICE_CONTAINER). */
export const { start } = serviceEntry("media-processor", buildMediaProcessor);

if (require.main === module) void start();
