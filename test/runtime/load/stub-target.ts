import { createServer, type IncomingMessage, type Server } from "node:http";

/**
 * A local stand-in for the platform's HTTP entry points that the load operations use (see
 * runtime/load/operations.ts): answers each known route after `delayMillis`, 404 otherwise, and
 * counts requests per route. For tests only.
 */
export interface StubTarget {
  readonly url: string;
  /** Requests per `METHOD /path` (path parameters replaced by `:id`). */
  readonly hits: Map<string, number>;
  /** Status to answer per route; 200 by default. */
  readonly status: Map<string, number>;
  delayMillis: number;
  close(): Promise<void>;
}

const ROUTES = [
  "POST /v1/rank",
  "PUT /v1/profiles/:id",
  "POST /v1/interactions",
  "POST /v1/events",
  "POST /v1/generate",
  "POST /v1/score",
];

function routeOf(req: IncomingMessage): string {
  const path = (req.url ?? "").split("?")[0].replace(/^\/v1\/profiles\/[^/]+$/, "/v1/profiles/:id");
  return `${req.method} ${path}`;
}

export async function startStubTarget(delayMillis = 0): Promise<StubTarget> {
  const hits = new Map<string, number>();
  const status = new Map<string, number>();
  const stub: { delayMillis: number } = { delayMillis };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const route = routeOf(req);
      hits.set(route, (hits.get(route) ?? 0) + 1);
      const answer = () => {
        const code = ROUTES.includes(route) ? (status.get(route) ?? 200) : 404;
        res.writeHead(code, { "content-type": "application/json" });
        res.end(code === 200 ? '{"ok":true}' : `{"error":"${route}"}`);
      };
      if (stub.delayMillis > 0) setTimeout(answer, stub.delayMillis);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    hits,
    status,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
