import { serviceEntry } from "../server/entry";
import { buildBatchProcessor } from "./app";

/** Entry point of batch-processor: `node index.js` in its bundle archive (SERVICE_CONTAINER). */
export const { start } = serviceEntry("batch-processor", buildBatchProcessor);

if (require.main === module) void start();
