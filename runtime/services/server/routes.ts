import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { parseBody } from "./errors";

/**
 * A route's contract: method, path, the zod schema of its JSON body and the largest body it
 * accepts. The service mounts it with {@link mountBodyRoute}; its client and the bad-input tests
 * read the same object.
 */
export interface BodyRoute<S extends z.ZodType = z.ZodType> {
  readonly method: "POST" | "PUT";
  /** Path as fastify writes it (`:name` for a parameter). */
  readonly url: string;
  readonly body: S;
  /**
   * Largest body accepted, in bytes after any content-encoding is undone. A larger body is
   * answered 413 without being read further. Size it from the schema: the largest valid body
   * (every field at its bound) must fit.
   */
  readonly bodyLimitBytes: number;
}

/** Declares a route contract; throws if its limit is not a positive whole number of bytes. */
export function bodyRoute<S extends z.ZodType>(route: BodyRoute<S>): BodyRoute<S> {
  if (!Number.isInteger(route.bodyLimitBytes) || route.bodyLimitBytes < 1) {
    throw new RangeError(
      `\`bodyLimitBytes\` of ${route.method} ${route.url} must be a positive whole number of bytes, but ${route.bodyLimitBytes} was provided`,
    );
  }
  return route;
}

/** Request of a body route with path parameters `P`. */
export type BodyRouteRequest<P> = FastifyRequest<{ Params: P }>;

/**
 * Mounts a body route: the body limit goes to the app's JSON parser, and the handler gets the
 * body already validated against the route's schema (a 400 naming the field otherwise).
 */
export function mountBodyRoute<S extends z.ZodType, P = Record<string, string>>(
  app: FastifyInstance,
  route: BodyRoute<S>,
  handler: (body: z.infer<S>, req: BodyRouteRequest<P>, reply: FastifyReply) => unknown,
): void {
  app.route<{ Params: P }>({
    method: route.method,
    url: route.url,
    bodyLimit: route.bodyLimitBytes,
    handler: async (req, reply) => handler(parseBody(route.body, req.body), req, reply),
  });
}
