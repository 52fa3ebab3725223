import { serviceEntry } from "../server/entry";
import { buildAiInference } from "./app";

/** Entry point of ai-inference: `node index.js` in its bundle archive (SERVICE_CONTAINER). */
export const { start } = serviceEntry("ai-inference", buildAiInference);

if (require.main === module) void start();
