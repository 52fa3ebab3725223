import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import { ConfigError } from "./config";
import { drainOnSignal } from "./shutdown";

/**
 * The two ways a service bundle runs: as a Functions Framework HTTP function named `handler`
 * (Cloud Run's buildConfig path), and directly with `node` (listening on $PORT). Both hand
 * requests to the same fastify app.
 */
export type BuildApp = (env: NodeJS.ProcessEnv) => Promise<FastifyInstance>;

export interface ServiceEntry {
  /** Functions-Framework-compatible HTTP function. */
  handler(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Builds the app and listens on $PORT (default 8080) on 0.0.0.0, draining on SIGTERM. */
  start(): Promise<FastifyInstance>;
}

function fatal(service: string, message: string): void {
  process.stderr.write(`${JSON.stringify({ severity: "CRITICAL", service, message })}\n`);
}

/** Wraps a service's app builder into its entry point. */
export function serviceEntry(service: string, build: BuildApp): ServiceEntry {
  let ready: Promise<FastifyInstance> | undefined;
  const app = () =>
    (ready ??= build(process.env).then(async (a) => {
      await a.ready();
      return a;
    }));
  return {
    async handler(req, res) {
      try {
        (await app()).routing(req, res);
      } catch (error) {
        fatal(service, `cannot start: ${(error as Error).message}`);
        res.statusCode = 500;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ error: `${service} cannot start; see its logs` }));
      }
    },
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
