import { serviceEntry } from "../server/entry";
import { buildMediaProcessor } from "./app";

/** Entry point of media-processor: the Functions Framework target `handler`, or `node index.js`. */
export const { handler, start } = serviceEntry("media-processor", buildMediaProcessor);

if (require.main === module) void start();
