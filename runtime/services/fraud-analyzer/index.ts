import { serviceEntry } from "../server/entry";
import { buildFraudAnalyzer } from "./app";

/** Entry point of fraud-analyzer: the Functions Framework target `handler`, or `node index.js`. */
export const { handler, start } = serviceEntry("fraud-analyzer", buildFraudAnalyzer);

if (require.main === module) void start();
