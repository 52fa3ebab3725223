import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";

/** An error with an HTTP status and a JSON body; the app's error handler sends it as is. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/**
 * Validates a request body with zod. On failure throws a 400 whose body names the first bad
 * field (dotted path, `body` for the whole body), what was wrong and what is allowed.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.length ? issue.path.map(String).join(".") : "body";
  throw new HttpError(400, `invalid request body: ${field}: ${issue.message}`, {
    field,
    issues: parsed.error.issues.map((i) => ({
      field: i.path.length ? i.path.map(String).join(".") : "body",
      message: i.message,
    })),
  });
}

/** The error handler of every service: HttpErrors as sent, client errors kept, the rest 500. */
export function sendError(
  error: FastifyError | HttpError,
  req: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof HttpError) {
    if (error.statusCode >= 500) req.log.error({ err: error }, error.message);
    return reply.status(error.statusCode).send({ error: error.message, ...error.details });
  }
  const status = error.statusCode ?? 500;
  if (status < 500) return reply.status(status).send({ error: error.message, code: error.code });
  req.log.error({ err: error }, "request failed");
  return reply.status(500).send({ error: "internal error" });
}
