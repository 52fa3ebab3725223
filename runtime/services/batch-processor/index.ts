import { serviceEntry } from "../server/entry";
import { buildBatchProcessor } from "./app";

/** Entry point of batch-processor: the Functions Framework target `handler`, or `node index.js`. */
export const { handler, start } = serviceEntry("batch-processor", buildBatchProcessor);

if (require.main === module) void start();
