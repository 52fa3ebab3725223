/**
 * Typed errors of the pipelines runtime. Each keeps its cause and the context needed to act on it
 * (pipeline, event or message id, field).
 */

/** The event does not match the pipeline's schema; nothing was sent. */
export class EventValidationError extends Error {
  override readonly name = "EventValidationError";
  constructor(
    readonly pipeline: string,
    /** Dotted path of the first offending field, e.g. `userIds.1`; empty for the root. */
    readonly field: string,
    readonly issue: string,
    readonly received: unknown,
  ) {
    super(
      `pipeline "${pipeline}": event field "${field || "(root)"}" ${issue}; received ${describe(received)}`,
    );
  }
}

/** Publishing failed after every retry allowed by `retry.maxAttempts`. */
export class PublishError extends Error {
  override readonly name = "PublishError";
  constructor(
    readonly pipeline: string,
    readonly eventId: string,
    readonly attempts: number,
    readonly retryable: boolean,
    options: { cause: unknown },
  ) {
    super(
      `pipeline "${pipeline}": publishing event ${eventId} failed after ${attempts} attempt(s)` +
        `${retryable ? " (retries exhausted; raise retry.maxAttempts to keep trying)" : " (not retryable)"}: ` +
        `${errorMessage(options.cause)}`,
      options,
    );
  }
}

/** Why a message is poison: it can never succeed, so it is dead-lettered at once. */
export type PoisonReason =
  "malformed" | "invalid-envelope" | "wrong-type" | "invalid-data" | "rejected";

/** A message that must not be retried; the consumer core dead-letters it with `reason`. */
export class PoisonMessageError extends Error {
  override readonly name = "PoisonMessageError";
  constructor(
    readonly reason: PoisonReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failure worth retrying later (timeout, unavailable dependency); the message is nacked. */
export class TransientError extends Error {
  override readonly name: string = "TransientError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The consumer is draining and takes no new messages. */
export class DrainingError extends TransientError {
  override readonly name = "DrainingError";
  constructor(pipeline: string) {
    super(`pipeline "${pipeline}": consumer is draining; message left for redelivery`);
  }
}

/** The message text of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
