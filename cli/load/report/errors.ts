/** The load report's input is unusable; `field` is its path, e.g. `timeline[3].p95Ms`. */
export class LoadReportInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`load report: \`${field}\` ${message}`);
    this.name = "LoadReportInputError";
  }
}
