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

/** The dotted path an issue is about; an unknown key is named itself. */
function fieldOf(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") path.push(issue.keys[0]);
  return path.length ? path.join(".") : "body";
}

/**
 * Validates a request body with zod. On failure throws a 400 whose body names the first bad
 * field (dotted path, `body` for the whole body, the key itself when it is unknown), what was
 * wrong and what is allowed.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const field = fieldOf(parsed.error.issues[0]);
  throw new HttpError(400, `invalid request body: ${field}: ${parsed.error.issues[0].message}`, {
    field,
    issues: parsed.error.issues.map((i) => ({ field: fieldOf(i), message: i.message })),
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
