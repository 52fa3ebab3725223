import { serviceEntry } from "../server/entry";
import { buildAnalyticsAggregator } from "./app";

/** Entry point of analytics-aggregator: `node index.js` in its bundle archive (SERVICE_CONTAINER). */
export const { start } = serviceEntry("analytics-aggregator", buildAnalyticsAggregator);

if (require.main === module) void start();
