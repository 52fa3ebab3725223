/**
 * Typed errors of the load simulator. A configuration error names the key, the value it got and
 * what is allowed; an operation error carries the error type it is counted under.
 */

/** A bad load option: names the key, the value and what is allowed. */
export class LoadConfigError extends Error {
  override readonly name = "LoadConfigError";
  constructor(
    /** The option or key, e.g. `--mix feed` or `AVALO_LOAD_RATE`. */
    readonly key: string,
    readonly value: string,
    /** What is allowed, in words. */
    readonly allowed: string,
  ) {
    super(`${key}: ${JSON.stringify(value)} is not allowed; ${allowed}`);
  }
}

/**
 * One operation failed. `type` is what errors are grouped by in the result: `http-<status>`,
 * `timeout`, `connection-<code>`, `publish-failed`, `invalid-event`, or `not-sent-in-flight-cap`
 * for an arrival that found `--max-in-flight` requests already outstanding.
 */
export class LoadOperationError extends Error {
  override readonly name = "LoadOperationError";
  constructor(
    readonly type: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The error type of an arrival that could not be sent because of the in-flight cap. */
export const NOT_SENT_IN_FLIGHT_CAP = "not-sent-in-flight-cap";

/** The error type of anything thrown that is not a LoadOperationError. */
export function errorTypeOf(error: unknown): string {
  return error instanceof LoadOperationError ? error.type : "unexpected";
}

/** Refused: the target looks like production. */
export class ProductionTargetError extends Error {
  override readonly name = "ProductionTargetError";
  constructor(
    readonly reason: string,
    readonly override: string,
  ) {
    super(
      `refusing to load-test what looks like production: ${reason}. Load tests run against the local platform or a staging stack; if you really mean production, pass ${override}`,
    );
  }
}
