import { LoadConfigError } from "./errors";

const UNITS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * Parses `60s`, `5m`, `1h`, `1500ms` or a bare number of seconds into seconds. Zero is allowed
 * only with `allowZero` (a ramp-up may be 0, a duration may not).
 */
export function parseDurationSeconds(text: string, key = "--duration", allowZero = false): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * UNITS[m[2] ?? "s"] : NaN;
  if (!m || !(allowZero ? seconds >= 0 : seconds > 0)) {
    throw new LoadConfigError(
      key,
      text,
      `a duration${allowZero ? " >= 0" : " > 0"} such as 60s, 5m, 1h or 1500ms is allowed`,
    );
  }
  return seconds;
}
