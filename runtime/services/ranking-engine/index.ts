import { serviceEntry } from "../server/entry";
import { buildRankingEngine } from "./app";

/** Entry point of ranking-engine: the Functions Framework target `handler`, or `node index.js`. */
export const { handler, start } = serviceEntry("ranking-engine", buildRankingEngine);

if (require.main === module) void start();
