import { writeFileSync } from "node:fs";

/**
 * Bench-only preload (`--require`): counts the Pulumi SDK's debuggable promises — a fixed few per
 * resource plus four per output property (`transferProperties`) — and writes the count to
 * `$SDK_PROMISE_COUNT_FILE` when the process exits, with the number of properties. preview.bench.ts uses it to show where a
 * stack's registration cost goes next to the floor's; timed runs never load it.
 */
const file = process.env.SDK_PROMISE_COUNT_FILE;
if (file) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
    debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown>;
  };
  const original = debuggable.debuggablePromise;
  const counts = { promises: 0, properties: 0 };
  debuggable.debuggablePromise = (p, ctx) => {
    counts.promises++;
    if (String(ctx).startsWith("transferProperty(")) counts.properties++;
    return original(p, ctx);
  };
  process.on("exit", () => writeFileSync(file, JSON.stringify(counts)));
}
