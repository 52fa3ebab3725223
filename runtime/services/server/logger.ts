import type { IncomingMessage } from "node:http";
import type { FastifyServerOptions } from "fastify";

/**
 * Structured JSON logs in Cloud Logging's format: `severity` instead of pino's numeric level,
 * `message` as the text, `time` in RFC 3339, and the request's trace from
 * `X-Cloud-Trace-Context` under `logging.googleapis.com/trace`, so Cloud Logging groups a
 * request's lines with its trace.
 */

const SEVERITY: Readonly<Record<string, string>> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO",
  warn: "WARNING",
  error: "ERROR",
  fatal: "CRITICAL",
};

export interface LoggerArgs {
  readonly service: string;
  readonly projectId: string;
  readonly level: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  readonly stream?: NodeJS.WritableStream;
}

/** Trace fields for one request, from `TRACE_ID/SPAN_ID;o=1`; empty when absent or malformed. */
export function traceFields(
  header: string | string[] | undefined,
  projectId: string,
): Record<string, string | boolean> {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^([0-9a-fA-F]{32})(?:\/(\d+))?(?:;o=([01]))?/.exec(value) : null;
  if (!match) return {};
  return {
    "logging.googleapis.com/trace": `projects/${projectId}/traces/${match[1]}`,
    ...(match[2] ? { "logging.googleapis.com/spanId": match[2] } : {}),
    "logging.googleapis.com/trace_sampled": match[3] === "1",
  };
}

/** Fastify options that make its pino logger write Cloud Logging lines. */
export function cloudLoggingOptions(
  args: LoggerArgs,
): Pick<FastifyServerOptions, "logger" | "childLoggerFactory"> {
  return {
    logger: {
      level: args.level,
      messageKey: "message",
      base: { service: args.service },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label: string) => ({ severity: SEVERITY[label] ?? "DEFAULT" }) },
      ...(args.stream ? { stream: args.stream } : {}),
    },
    childLoggerFactory(logger, bindings, opts, rawReq) {
      const headers = (rawReq as IncomingMessage).headers ?? {};
      return logger.child(
        { ...bindings, ...traceFields(headers["x-cloud-trace-context"], args.projectId) },
        opts,
      );
    },
  };
}
