import { serviceEntry } from "../server/entry";
import { buildRankingEngine } from "./app";

/** Entry point of ranking-engine: `node index.js` in its bundle archive (SERVICE_CONTAINER). */
export const { start } = serviceEntry("ranking-engine", buildRankingEngine);

if (require.main === module) void start();
