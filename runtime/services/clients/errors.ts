/** Why a service call failed. */
export type CallFailure = "http" | "timeout" | "network" | "circuit-open";

/**
 * A failed call to an Avalo service. The message names the service, the call and the attempt
 * count, e.g. `fraud-analyzer.score failed after 3 attempts: HTTP 503: ...`.
 */
export class ServiceCallError extends Error {
  constructor(
    readonly service: string,
    readonly call: string,
    readonly attempts: number,
    readonly failure: CallFailure,
    detail: string,
    /** HTTP status, for `http` failures. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(
      `${service}.${call} failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${detail}`,
      options,
    );
    this.name = "ServiceCallError";
  }
}
