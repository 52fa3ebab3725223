import { serviceEntry } from "../server/entry";
import { buildPdfGenerator } from "./app";

/** Entry point of pdf-generator: the Functions Framework target `handler`, or `node index.js`. */
export const { handler, start } = serviceEntry("pdf-generator", buildPdfGenerator);

if (require.main === module) void start();
