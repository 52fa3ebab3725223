import type { FastifyInstance } from "fastify";

/**
 * Graceful shutdown: on SIGTERM stop accepting connections, let in-flight requests finish
 * within the drain timeout (Cloud Run allows 10 s after SIGTERM), close the clients, exit.
 */
export interface DrainArgs {
  /** Time in-flight work gets before the process exits anyway. @default 9000 */
  readonly timeoutMillis?: number;
  readonly signals?: readonly NodeJS.Signals[];
  /** Injected for tests. */
  readonly exit?: (code: number) => void;
}

/** Installs the handlers; returns a function that removes them. */
export function drainOnSignal(app: FastifyInstance, args: DrainArgs = {}): () => void {
  const timeoutMillis = args.timeoutMillis ?? 9000;
  const signals = args.signals ?? ["SIGTERM", "SIGINT"];
  const exit = args.exit ?? ((code: number) => process.exit(code));
  let draining = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    app.log.info(
      { signal, timeoutMillis },
      "draining: no new connections, finishing in-flight requests",
    );
    const timer = setTimeout(() => {
      app.log.error({ timeoutMillis }, "drain timed out; exiting with requests still in flight");
      exit(1);
    }, timeoutMillis);
    timer.unref();
    app.close().then(
      () => {
        clearTimeout(timer);
        app.log.info("drained; exiting");
        exit(0);
      },
      (error: Error) => {
        clearTimeout(timer);
        app.log.error({ err: error }, "error while draining");
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
