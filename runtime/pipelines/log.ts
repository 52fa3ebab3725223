/**
 * The structured logger the pipelines runtime writes to: one JSON line per entry with a Cloud
 * Logging `severity`, so entries are parsed on Cloud Run. Inject `silentLogger` in tests.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

function line(severity: string, message: string, fields?: Record<string, unknown>): string {
  return JSON.stringify({ severity, message, ...fields });
}

/** Writes JSON lines to stdout (INFO) and stderr (WARNING, ERROR). */
export const jsonLogger: Logger = {
  info: (m, f) => process.stdout.write(line("INFO", m, f) + "\n"),
  warn: (m, f) => process.stderr.write(line("WARNING", m, f) + "\n"),
  error: (m, f) => process.stderr.write(line("ERROR", m, f) + "\n"),
};

/** Discards everything. */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
