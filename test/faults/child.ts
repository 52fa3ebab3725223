import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

/**
 * A TypeScript script of the fault suite run as its own process group (`node -r tsx/cjs`), so a
 * fault can SIGKILL it outright. Its stdout is read as JSON lines; the last one is kept.
 */
export interface ScriptProcess<R> {
  readonly pid: number;
  readonly startedAt: number;
  /** The last JSON line the script printed. */
  last(): R | undefined;
  /** Calls `listener` with every JSON line. */
  onLine(listener: (line: R) => void): void;
  /** The last 8 KB of stderr. */
  errors(): string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Writes one line to the script's stdin (ignored once it has exited). */
  send(line: string): void;
  /** Sends `signal` to the process group. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMillis`. */
  stop(graceMillis?: number): Promise<void>;
}

/** Starts `test/faults/<script>` with `env` (merged over this process's environment). */
export function startScript<R>(script: string, env: NodeJS.ProcessEnv): ScriptProcess<R> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--require", "tsx/cjs", join(__dirname, script)],
    { detached: true, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } },
  );
  let last: R | undefined;
  let stderr = "";
  let buffered = "";
  const listeners: Array<(line: R) => void> = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      try {
        last = JSON.parse(line) as R;
      } catch {
        continue;
      }
      for (const listener of listeners) listener(last);
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  child.stdin?.on("error", () => undefined);
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, sig) => resolve(code ?? sig ?? "unknown")),
  );
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // Already gone.
    }
  };
  return {
    pid: child.pid ?? -1,
    startedAt: Date.now(),
    last: () => last,
    onLine: (listener) => listeners.push(listener),
    errors: () => stderr,
    exited,
    send(line) {
      if (child.exitCode === null && child.signalCode === null) child.stdin?.write(`${line}\n`);
    },
    signal,
    async stop(graceMillis = 8000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), graceMillis);
      await exited;
      clearTimeout(timer);
    },
  };
}
