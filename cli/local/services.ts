import { spawn, type ChildProcess } from "node:child_process";
import { SERVICE_CONTAINER } from "../../runtime/services/container";
import type { LocalBundle } from "./bundles";

/**
 * One service bundle running as its own process, started as Cloud Run starts it
 * (`SERVICE_CONTAINER`: command and args in the extracted archive's directory) on its own
 * loopback port, in its own process group, so that stopping it can leave nothing behind.
 */
export interface ServiceProcess {
  readonly service: string;
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** The last lines the process wrote (stdout and stderr). */
  output(): string;
  /** Exit code, or null while it runs. */
  exitCode(): number | null;
  /** SIGTERM (the service drains), SIGKILL after `graceMillis`; safe to call twice. */
  stop(graceMillis?: number): Promise<void>;
}

/** How a container starts: its entrypoint and arguments. */
export interface ContainerStart {
  readonly command: readonly string[];
  readonly args: readonly string[];
}

/**
 * Starts a bundle with `env` plus PORT=`port`, as `start` says (by default `SERVICE_CONTAINER`,
 * what Cloud Run gets); does not wait for health.
 */
export function startService(
  bundle: LocalBundle,
  env: NodeJS.ProcessEnv,
  port: number,
  start: ContainerStart = SERVICE_CONTAINER,
): ServiceProcess {
  const [command, ...commandArgs] = start.command;
  const child: ChildProcess = spawn(command, [...commandArgs, ...start.args], {
    cwd: bundle.dir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...env, PORT: String(port) },
  });
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-16_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopping: Promise<void> | undefined;
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // Already gone.
    }
  };
  return {
    service: bundle.service,
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    output: () => log,
    exitCode: () => child.exitCode,
    stop(graceMillis = 5000) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          signal("SIGTERM");
          const timer = setTimeout(() => signal("SIGKILL"), graceMillis);
          await exited;
          clearTimeout(timer);
        }
        signal("SIGKILL");
      })();
      return stopping;
    },
  };
}

/** What `/healthz` said last. */
export interface Health {
  readonly ok: boolean;
  readonly status: number | "down";
}

/** One `/healthz` probe. */
export async function probeHealth(url: string, timeoutMillis = 2000): Promise<Health> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMillis) });
    await res.arrayBuffer();
    return { ok: res.ok, status: res.status };
  } catch {
    return { ok: false, status: "down" };
  }
}

/** Waits until `/healthz` answers 200; throws with the process's output if it exits or times out. */
export async function waitHealthy(service: ServiceProcess, timeoutMillis: number): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    const code = service.exitCode();
    if (code !== null) {
      throw new Error(
        `${service.service} exited with code ${code} before it was healthy:\n${service.output()}`,
      );
    }
    if ((await probeHealth(service.url)).ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `${service.service} was not healthy on ${service.url}/healthz within ${timeoutMillis} ms:\n${service.output()}`,
  );
}
