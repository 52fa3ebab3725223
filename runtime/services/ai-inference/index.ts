import { serviceEntry } from "../server/entry";
import { buildAiInference } from "./app";

/** Entry point of ai-inference: the Functions Framework target `handler`, or `node index.js`. */
export const { handler, start } = serviceEntry("ai-inference", buildAiInference);

if (require.main === module) void start();
