import { join } from "node:path";
import { GEOGRAPHIES, isRegionId, REGION_IDS, type RegionId } from "../../runtime/topology";
import { containersOfPlan } from "./planned";
import { startPlatform, type Platform } from "./platform";
import { runSmoke, type Latencies } from "./smoke";
import { collectStatus, renderStatus } from "./status";

/**
 * `avalo up --local [--once] [--region <id>] [--from-plan]`: starts the local platform, runs the
 * smoke scenario and prints the status table. With `--once` it then stops everything and exits 0
 * when every check passed, else 1; without it, it refreshes the table until SIGINT/SIGTERM. With
 * `--from-plan` it first runs the region's stack under the mock runtime and starts exactly the
 * containers that plan gives Cloud Run (archives, command, args, variable names).
 */

export interface UpOptions {
  readonly once: boolean;
  readonly region: RegionId;
  /** Status refresh interval in interactive mode. */
  readonly refreshMillis: number;
  /** Start the containers of the region's stack plan rather than the fresh bundles. */
  readonly fromPlan: boolean;
}

const USAGE =
  "usage: avalo up --local [--once] [--region <region>] [--refresh <seconds>] [--from-plan]";

/** Parses the arguments; throws naming the bad flag or value. */
export function parseUpArgs(argv: readonly string[]): UpOptions {
  let local = false;
  let once = false;
  let fromPlan = false;
  let region: RegionId = GEOGRAPHIES.us.regions[0];
  let refreshMillis = 2000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--local") local = true;
    else if (arg === "--once") once = true;
    else if (arg === "--from-plan") fromPlan = true;
    else if (arg === "--region" || arg === "--refresh") {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      if (arg === "--region") {
        if (!isRegionId(value)) {
          throw new Error(`--region "${value}" is not a region; allowed: ${REGION_IDS.join(", ")}`);
        }
        region = value;
      } else {
        const seconds = Number(value);
        if (!(seconds > 0))
          throw new Error(`--refresh "${value}" must be a positive number of seconds`);
        refreshMillis = seconds * 1000;
      }
    } else throw new Error(`unknown argument "${arg}"\n${USAGE}`);
  }
  if (!local) {
    throw new Error(`only the local platform can be started here: pass --local\n${USAGE}`);
  }
  return { once, region, refreshMillis, fromPlan };
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Runs the command; resolves to the exit code. */
export async function runUpCommand(argv: readonly string[]): Promise<number> {
  let options: UpOptions;
  try {
    options = parseUpArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
  let platform: Platform | undefined;
  let stopRequested = false;
  const stopSignals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
  let wake: () => void = () => undefined;
  const onSignal = () => {
    stopRequested = true;
    wake();
  };
  for (const s of stopSignals) process.on(s, onSignal);
  try {
    print(`avalo up --local: region ${options.region}`);
    const rootDir = join(__dirname, "..", "..");
    const containers = options.fromPlan
      ? await containersOfPlan(rootDir, options.region)
      : undefined;
    if (containers) {
      print(
        `  from the plan: ${containers.map((c) => `${c.service} (${[...c.command, ...c.args].join(" ")})`).join(", ")}`,
      );
    }
    platform = await startPlatform({
      rootDir,
      region: options.region,
      log: (line) => print(`  ${line}`),
      ...(containers ? { containers } : {}),
    });
    const seconds = platform.startupMillis / 1000;
    print(
      `startup to all-healthy: ${seconds.toFixed(1)} s (target < 60 s: ${seconds < 60 ? "met" : "MISSED"})`,
    );
    for (const r of platform.routes) {
      print(`  ${r.spec.topic} -> ${r.endpoint} (${r.consumer})`);
    }
    print(`process groups: ${platform.pids.join(" ")}`);
    const latencies: Latencies = new Map();
    const checks = await runSmoke(platform, latencies);
    print("smoke scenario:");
    for (const c of checks) {
      print(
        `  ${c.ok ? "PASS" : "FAIL"}  ${c.name.padEnd(32)} ${String(c.millis).padStart(6)} ms  ${c.detail}`,
      );
    }
    const failed = checks.filter((c) => !c.ok).length;
    print(
      failed === 0
        ? `all ${checks.length} checks passed`
        : `${failed} of ${checks.length} checks FAILED`,
    );
    print(renderStatus(await collectStatus(platform, latencies)));
    if (options.once) return failed === 0 ? 0 : 1;

    print("\nrunning; Ctrl-C stops everything");
    while (!stopRequested) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.refreshMillis);
      });
      if (stopRequested) break;
      const table = renderStatus(await collectStatus(platform, latencies));
      if (process.stdout.isTTY) process.stdout.write("\x1b[H\x1b[2J");
      print(`avalo local platform (${options.region}) ${new Date().toISOString()}\n${table}`);
    }
    return failed === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`avalo up --local failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    if (platform) {
      print("stopping...");
      const started = Date.now();
      await platform.stop();
      print(`stopped in ${Date.now() - started} ms`);
    }
    for (const s of stopSignals) process.off(s, onSignal);
  }
}
