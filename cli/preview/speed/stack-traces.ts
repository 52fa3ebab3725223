/**
 * The Pulumi SDK captures and formats a stack trace for every promise it creates (several per
 * resource and per output property), only to print it if the promise leaks. In a compiled preview
 * worker that is ~30% of the program's run. Capturing no frames leaves every check and every
 * registered resource unchanged; a program that fails is run again from its TypeScript sources
 * with full stack traces (pool.ts), so its report is the same as before.
 */
export function skipStackTraces(): void {
  Error.stackTraceLimit = 0;
}
