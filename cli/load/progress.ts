import type { LoadProgress } from "../../runtime/load/run";

/**
 * Live progress on stderr: on a TTY a progress bar redrawn in place with live ops/s; otherwise
 * one plain line every `lineIntervalMillis` (5 s), so CI logs stay readable.
 */
export interface ProgressWriter {
  update(p: LoadProgress): void;
  /** Ends the bar's line (TTY). */
  done(): void;
}

const BAR_WIDTH = 30;

/** One progress line, without the carriage return. */
function progressLine(p: LoadProgress, bar: boolean): string {
  const fraction = Math.min(1, p.elapsedSeconds / p.durationSeconds);
  const filled = Math.round(fraction * BAR_WIDTH);
  const head = bar ? `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ` : "";
  return (
    `${head}${p.elapsedSeconds.toFixed(0).padStart(4)}s/${p.durationSeconds}s ` +
    `${Math.round(p.opsPerSecond).toString().padStart(6)} ops/s (target ${Math.round(p.targetRate)}) ` +
    `ok ${p.ok} errors ${p.errors} in flight ${p.inFlight}`
  );
}

/** Where progress goes: stderr, or a test's sink. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export function progressWriter(
  stream: ProgressStream = process.stderr,
  lineIntervalMillis = 5000,
): ProgressWriter {
  const tty = Boolean(stream.isTTY);
  let lastLine = 0;
  let drawn = false;
  return {
    update(p) {
      if (tty) {
        stream.write(`\r${progressLine(p, true)}\x1b[K`);
        drawn = true;
        return;
      }
      const now = Date.now();
      if (now - lastLine >= lineIntervalMillis) {
        lastLine = now;
        stream.write(`${progressLine(p, false)}\n`);
      }
    },
    done() {
      if (tty && drawn) stream.write("\n");
    },
  };
}
