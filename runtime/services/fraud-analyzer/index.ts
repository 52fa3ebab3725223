import { serviceEntry } from "../server/entry";
import { buildFraudAnalyzer } from "./app";

/** Entry point of fraud-analyzer: `node index.js` in its bundle archive (SERVICE_CONTAINER). */
export const { start } = serviceEntry("fraud-analyzer", buildFraudAnalyzer);

if (require.main === module) void start();
