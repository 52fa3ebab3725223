import type { FastifyInstance } from "fastify";
import { ConfigError } from "./config";
import { drainOnSignal } from "./shutdown";

/**
 * How a service bundle runs: `node index.js` (SERVICE_CONTAINER in runtime/services/container.ts)
 * builds the service's fastify app from the environment and listens on $PORT.
 */
export type BuildApp = (env: NodeJS.ProcessEnv) => Promise<FastifyInstance>;

export interface ServiceEntry {
  /** Builds the app and listens on $PORT (default 8080) on 0.0.0.0, draining on SIGTERM. */
  start(): Promise<FastifyInstance>;
}

function fatal(service: string, message: string): void {
  process.stderr.write(`${JSON.stringify({ severity: "CRITICAL", service, message })}\n`);
}

/** Wraps a service's app builder into its entry point. */
export function serviceEntry(service: string, build: BuildApp): ServiceEntry {
  return {
    async start() {
      try {
        const a = await build(process.env);
        const port = Number(process.env.PORT ?? 8080);
        await a.listen({ port, host: "0.0.0.0" });
        drainOnSignal(a);
        return a;
      } catch (error) {
        const message =
          error instanceof ConfigError ? error.message : `cannot start: ${(error as Error).stack}`;
        fatal(service, message);
        process.exit(1);
      }
    },
  };
}
