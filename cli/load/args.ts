import { GEOGRAPHIES, isRegionId, REGION_IDS, type RegionId } from "../../runtime/topology";
import { LOAD_DEFAULTS } from "../../runtime/load/defaults";
import { parseDurationSeconds } from "../../runtime/load/duration";
import { LoadConfigError } from "../../runtime/load/errors";
import { DEFAULT_MIX, formatMix, parseMix, type Mix } from "../../runtime/load/mix";
import { OPERATION_ROUTES } from "../../runtime/load/operations";
import { parseShard, shardFromEnv, type Shard } from "../../runtime/load/shard";
import type { Thresholds } from "../../runtime/load/thresholds";
import { OPERATIONS } from "../../runtime/load/mix";

/** The scale report's 20M-user usage model: the default `--usage` and the monthly projection. */
export const TWENTY_MILLION_USAGE_FILE = "usage/20m.yaml";

/** The parsed arguments of `avalo load`. */
export interface LoadCommandOptions {
  readonly target: "local" | "staging";
  /** Staging base URL; `{service}` is replaced by the service name. */
  readonly url?: string;
  /** Project id the guard checks (staging). */
  readonly project?: string;
  readonly auth: "id-token" | "none";
  readonly region: RegionId;
  readonly users: number;
  /** Undefined: LOAD_DEFAULTS.ratePerSecond, or users × 0.1 in simulation mode. */
  readonly ratePerSecond?: number;
  readonly durationSeconds: number;
  readonly rampUpSeconds: number;
  readonly mix: Mix;
  readonly seed?: number;
  readonly maxInFlight: number;
  readonly thresholds: Thresholds;
  readonly shard: Shard;
  /** Forced, or implied by users > LOAD_DEFAULTS.simulationAboveUsers. */
  readonly simulate: boolean;
  /** A result.json whose per-operation p50 the simulation uses as latency. */
  readonly latencyFrom?: string;
  /** Usage model with the per-operation figures for cost and simulation. */
  readonly usageFile: string;
  /** Output directory name under outDir. @default a UTC timestamp */
  readonly name?: string;
  readonly outDir: string;
  readonly allowProduction: boolean;
  readonly help: boolean;
}

const ROUTES = OPERATIONS.map((op) => {
  const r = OPERATION_ROUTES[op];
  return `  ${op.padEnd(9)} ${r.http}${r.publish ? `\n  ${"".padEnd(9)} local target: ${r.publish} (pipeline publisher)` : ""}`;
}).join("\n");

export const LOAD_USAGE = `usage: avalo load [--target local|staging] [--url <base>] [options]

An open-loop load against the platform's real entry points. Arrivals follow a schedule (ramp-up,
then the target rate) whatever the target answers; virtual users pick operations with a seeded
PRNG. Latency is HdrHistogram-recorded from each arrival's INTENDED start (coordinated omission
corrected). Prints P50/P95/P99 per operation, errors by type and ops/s; writes
out/load/<name>/result.json and the HTML report with PNG charts; exits 1 when a threshold is
missed, 2 for bad arguments or a refused target.

targets:
  --target local        (default) starts the local platform, runs, stops it
  --target staging      HTTP only, to --url <base> ({service} in it becomes the service name,
                        e.g. https://{service}-abc123-ue.a.run.app); Google ID tokens per service
                        URL unless --auth none; --project <id> (or GOOGLE_CLOUD_PROJECT) is checked
  --i-know-this-is-production   allow a URL or project that looks like production (refused otherwise)
  --region <id>         local platform region (default ${GEOGRAPHIES.us.regions[0]})

load:
  --users <n>           virtual users (default ${LOAD_DEFAULTS.users}); above ${LOAD_DEFAULTS.simulationAboveUsers.toLocaleString("en-US")}: simulation mode
  --rate <ops/s>        target rate after ramp-up (default ${LOAD_DEFAULTS.ratePerSecond}; simulation: users × ${LOAD_DEFAULTS.simulationOpsPerUserPerSecond})
  --duration <d>        whole run, ramp-up included (default ${LOAD_DEFAULTS.durationSeconds}s; 60s, 5m, 1h)
  --ramp-up <d>         linear ramp from 0 (default ${LOAD_DEFAULTS.rampUpSeconds}s, at most the duration)
  --mix <op=%,...>      operation mix, must add up to 100 (default ${formatMix(DEFAULT_MIX)})
  --seed <n>            PRNG seed (default: random, printed)
  --max-in-flight <n>   outstanding requests cap (default ${LOAD_DEFAULTS.maxInFlight}); arrivals beyond it
                        are counted as the error not-sent-in-flight-cap
  --shard <i/N>         drive shard i of N (users and rate divided; default from CLOUD_RUN_TASK_INDEX/COUNT)

thresholds (exit 1 when missed):
  --p95 <ms>            (default ${LOAD_DEFAULTS.thresholds.p95Millis})
  --max-error-rate <%>  percent of arrivals (default ${LOAD_DEFAULTS.thresholds.maxErrorRate * 100})
  --min-ops <ops/s>     steady-state successful ops/s (default ${LOAD_DEFAULTS.thresholds.minOpsPerSecond})

simulation and cost:
  --simulate            model the traffic without sending anything (implied above ${LOAD_DEFAULTS.simulationAboveUsers.toLocaleString("en-US")} users)
  --latency-from <file> a result.json whose per-operation p50 the simulation uses
  --usage <file>        per-operation figures for cost and simulation (default usage/20m.yaml)

output:
  --name <name>         out/load/<name>/ (default: UTC timestamp)
  --out <dir>           (default out/load)

operations (entry points):
${ROUTES}
`;

function need(argv: readonly string[], i: number, flag: string): string {
  const value = argv[i + 1];
  if (value === undefined || value.startsWith("--")) {
    throw new LoadConfigError(flag, "", "a value is required");
  }
  return value;
}

function numberArg(
  flag: string,
  text: string,
  check: (n: number) => boolean,
  allowed: string,
): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || !check(value)) {
    throw new LoadConfigError(flag, text, allowed);
  }
  return value;
}

const isPositiveInteger = (n: number) => Number.isInteger(n) && n >= 1;

/** Parses `avalo load` arguments; throws LoadConfigError naming the flag, value and what is allowed. */
export function parseLoadArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): LoadCommandOptions {
  let target: "local" | "staging" = "local";
  let url: string | undefined;
  let project = env.GOOGLE_CLOUD_PROJECT;
  let auth: "id-token" | "none" = "id-token";
  let region: RegionId = GEOGRAPHIES.us.regions[0];
  let users: number = LOAD_DEFAULTS.users;
  let ratePerSecond: number | undefined;
  let durationSeconds: number = LOAD_DEFAULTS.durationSeconds;
  let rampUpSeconds: number | undefined;
  let mix = DEFAULT_MIX;
  let seed: number | undefined;
  let maxInFlight: number = LOAD_DEFAULTS.maxInFlight;
  let thresholds: Thresholds = { ...LOAD_DEFAULTS.thresholds };
  let shard = shardFromEnv(env);
  let simulate = false;
  let latencyFrom: string | undefined;
  let usageFile = TWENTY_MILLION_USAGE_FILE;
  let name: string | undefined;
  let outDir = "out/load";
  let allowProduction = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => need(argv, i++, flag);
    switch (flag) {
      case "-h":
      case "--help":
        help = true;
        break;
      case "--target": {
        const t = value();
        if (t !== "local" && t !== "staging")
          throw new LoadConfigError(flag, t, "allowed: local, staging");
        target = t;
        break;
      }
      case "--url":
        url = value();
        break;
      case "--project":
        project = value();
        break;
      case "--auth": {
        const a = value();
        if (a !== "id-token" && a !== "none")
          throw new LoadConfigError(flag, a, "allowed: id-token, none");
        auth = a;
        break;
      }
      case "--region": {
        const r = value();
        if (!isRegionId(r)) throw new LoadConfigError(flag, r, `allowed: ${REGION_IDS.join(", ")}`);
        region = r;
        break;
      }
      case "--users":
        users = numberArg(flag, value(), isPositiveInteger, "an integer >= 1 is allowed");
        break;
      case "--rate":
        ratePerSecond = numberArg(flag, value(), (n) => n > 0, "a rate > 0 ops/s is allowed");
        break;
      case "--duration":
        durationSeconds = parseDurationSeconds(value(), flag);
        break;
      case "--ramp-up":
        rampUpSeconds = parseDurationSeconds(value(), flag, true);
        break;
      case "--mix":
        mix = parseMix(value(), flag);
        break;
      case "--seed":
        seed = numberArg(
          flag,
          value(),
          (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32,
          "an integer from 0 to 4294967295 is allowed",
        );
        break;
      case "--max-in-flight":
        maxInFlight = numberArg(flag, value(), isPositiveInteger, "an integer >= 1 is allowed");
        break;
      case "--p95":
        thresholds = {
          ...thresholds,
          p95Millis: numberArg(flag, value(), (n) => n > 0, "a latency > 0 ms is allowed"),
        };
        break;
      case "--max-error-rate":
        thresholds = {
          ...thresholds,
          maxErrorRate:
            numberArg(
              flag,
              value().replace(/%$/, ""),
              (n) => n >= 0 && n <= 100,
              "a percentage from 0 to 100 is allowed",
            ) / 100,
        };
        break;
      case "--min-ops":
        thresholds = {
          ...thresholds,
          minOpsPerSecond: numberArg(flag, value(), (n) => n >= 0, "a rate >= 0 ops/s is allowed"),
        };
        break;
      case "--shard":
        shard = parseShard(value(), flag);
        break;
      case "--simulate":
        simulate = true;
        break;
      case "--latency-from":
        latencyFrom = value();
        break;
      case "--usage":
        usageFile = value();
        break;
      case "--name": {
        const n = value();
        if (!/^[A-Za-z0-9._-]+$/.test(n))
          throw new LoadConfigError(flag, n, "letters, digits, '.', '_' and '-' are allowed");
        name = n;
        break;
      }
      case "--out":
        outDir = value();
        break;
      case "--i-know-this-is-production":
        allowProduction = true;
        break;
      default:
        throw new LoadConfigError("argument", flag, "see avalo load --help for the flags allowed");
    }
  }
  if (target === "staging" && !url && !help) {
    throw new LoadConfigError(
      "--url",
      "",
      "--target staging needs --url <base URL of the staging services>",
    );
  }
  if (target === "local" && url) {
    throw new LoadConfigError(
      "--url",
      url,
      "--url is for --target staging; the local target finds its own services",
    );
  }
  if (rampUpSeconds !== undefined && rampUpSeconds > durationSeconds) {
    throw new LoadConfigError(
      "--ramp-up",
      `${rampUpSeconds}s`,
      `a ramp-up from 0 to the duration (${durationSeconds} s) is allowed`,
    );
  }
  return {
    target,
    url,
    project,
    auth,
    region,
    users,
    ratePerSecond,
    durationSeconds,
    rampUpSeconds: rampUpSeconds ?? Math.min(LOAD_DEFAULTS.rampUpSeconds, durationSeconds),
    mix,
    seed,
    maxInFlight,
    thresholds,
    shard,
    simulate: simulate || users > LOAD_DEFAULTS.simulationAboveUsers,
    latencyFrom,
    usageFile,
    name,
    outDir,
    allowProduction,
    help,
  };
}
