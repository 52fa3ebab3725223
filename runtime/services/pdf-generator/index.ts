import { serviceEntry } from "../server/entry";
import { buildPdfGenerator } from "./app";

/** Entry point of pdf-generator: `node index.js` in its bundle archive (SERVICE_CONTAINER). */
export const { start } = serviceEntry("pdf-generator", buildPdfGenerator);

if (require.main === module) void start();
