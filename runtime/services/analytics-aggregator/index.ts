import { serviceEntry } from "../server/entry";
import { buildAnalyticsAggregator } from "./app";

/** Entry point of analytics-aggregator: the Functions Framework target `handler`, or `node index.js`. */
export const { handler, start } = serviceEntry("analytics-aggregator", buildAnalyticsAggregator);

if (require.main === module) void start();
