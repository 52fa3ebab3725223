import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Starts the real local stand-ins for managed services (the Pub/Sub and Firestore emulators of
 * the Google Cloud CLI, and redis-server) on free loopback ports, and stops them with their
 * whole process group so no Java child is left behind. Used by tests and the local platform.
 */

export interface LocalProcess {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** `host:port`, as the *_EMULATOR_HOST variables expect. */
  readonly endpoint: string;
  readonly pid: number;
  /** Stops the process group and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

const LOOPBACK = "127.0.0.1";

/** A TCP port that was free on loopback a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not allocate a loopback port"));
      });
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitUntil(
  what: string,
  child: ChildProcess,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `${what} exited with code ${child.exitCode} before it was ready:\n${output()}`,
      );
    }
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms:\n${output()}`);
}

function launch(
  name: string,
  command: string,
  args: string[],
  port: number,
  env: NodeJS.ProcessEnv = process.env,
  cleanup: () => void = () => undefined,
): { child: ChildProcess; output: () => string; handle: LocalProcess } {
  const child = spawn(command, args, { detached: true, stdio: ["ignore", "pipe", "pipe"], env });
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopping: Promise<void> | undefined;
  const handle: LocalProcess = {
    name,
    host: LOOPBACK,
    port,
    endpoint: `${LOOPBACK}:${port}`,
    pid: child.pid ?? -1,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.pid) {
          signalGroup(child.pid, "SIGTERM");
          const killed = await Promise.race([
            exited.then(() => true),
            sleep(5000).then(() => false),
          ]);
          if (!killed) signalGroup(child.pid, "SIGKILL");
          await exited;
        }
        // The emulators' JVM may outlive the wrapper that started it.
        if (child.pid) await killGroup(child.pid);
        cleanup();
      })();
      return stopping;
    },
  };
  return { child, output: () => log, handle };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killGroup(pgid: number): Promise<void> {
  signalGroup(pgid, "SIGKILL");
  for (let i = 0; i < 100 && groupAlive(pgid); i++) await sleep(50);
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  return res.ok;
}

function gcloudEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CLOUDSDK_CORE_DISABLE_PROMPTS: "1",
    CLOUDSDK_CORE_PROJECT: "avalo-local",
  };
}

/** Starts the Pub/Sub emulator; ready in about 3 s. */
export async function startPubSubEmulator(projectId = "avalo-local"): Promise<LocalProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "avalo-pubsub-"));
  const { child, output, handle } = launch(
    "pubsub-emulator",
    "gcloud",
    [
      "beta",
      "emulators",
      "pubsub",
      "start",
      `--host-port=${LOOPBACK}:${port}`,
      `--project=${projectId}`,
      `--data-dir=${dataDir}`,
    ],
    port,
    gcloudEnv(),
    () => rmSync(dataDir, { recursive: true, force: true }),
  );
  await waitUntil(
    "Pub/Sub emulator",
    child,
    () => httpOk(`http://${handle.endpoint}/`),
    60_000,
    output,
  );
  return handle;
}

/** Starts the Firestore emulator; ready in about 3 s. */
export async function startFirestoreEmulator(): Promise<LocalProcess> {
  const port = await freePort();
  const { child, output, handle } = launch(
    "firestore-emulator",
    "gcloud",
    ["emulators", "firestore", "start", `--host-port=${LOOPBACK}:${port}`],
    port,
    gcloudEnv(),
  );
  await waitUntil(
    "Firestore emulator",
    child,
    () => httpOk(`http://${handle.endpoint}/`),
    60_000,
    output,
  );
  return handle;
}

export interface RedisOptions {
  /** Append-only file with `appendfsync always`, so a restart loses no acknowledged write. */
  readonly appendOnly?: boolean;
  /** Data directory; a temporary one by default. Reuse it to restart with the same data. */
  readonly dir?: string;
  /** Port; a free one by default. Reuse it to restart in place. */
  readonly port?: number;
  /** AUTH password (Memorystore AUTH is on in production). */
  readonly password?: string;
}

/** Installs redis-server from Debian's packages if it is missing (root only). */
export function ensureRedisServer(): void {
  if (spawnSync("redis-server", ["--version"]).status === 0) return;
  const steps = [
    ["apt-get", ["update", "-qq"]],
    ["apt-get", ["install", "-y", "-qq", "redis-server"]],
  ] as const;
  for (const [cmd, args] of steps) {
    const result = spawnSync(cmd, args, { stdio: "inherit" });
    if (result.status !== 0) {
      throw new Error(
        `redis-server is missing and "${cmd} ${args.join(" ")}" failed; install it with: apt-get install redis-server`,
      );
    }
  }
}

async function redisPing(port: number, password?: string): Promise<boolean> {
  const { Socket } = await import("node:net");
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, LOOPBACK, () => {
      socket.write(password ? `AUTH ${password}\r\nPING\r\n` : "PING\r\n");
    });
    socket.on("data", (d) => done(d.toString().includes("PONG")));
  });
}

/** Starts redis-server on loopback; ready in about 60 ms. */
export async function startRedis(options: RedisOptions = {}): Promise<LocalProcess> {
  ensureRedisServer();
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "avalo-redis-"));
  const args = [
    "--port",
    String(port),
    "--bind",
    LOOPBACK,
    "--dir",
    dir,
    "--save",
    "",
    "--daemonize",
    "no",
    ...(options.appendOnly
      ? ["--appendonly", "yes", "--appendfsync", "always"]
      : ["--appendonly", "no"]),
    ...(options.password ? ["--requirepass", options.password] : []),
  ];
  const { child, output, handle } = launch(
    "redis-server",
    "redis-server",
    args,
    port,
    process.env,
    () => {
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  );
  await waitUntil("redis-server", child, () => redisPing(port, options.password), 10_000, output);
  return handle;
}
