import { googleIdTokens, noIdTokens } from "../services/clients/id-token";
import { LOAD_DEFAULTS } from "./defaults";
import { parseDurationSeconds } from "./duration";
import { LoadConfigError } from "./errors";
import { assertNotProduction } from "./guard";
import { DEFAULT_MIX, parseMix } from "./mix";
import { runLoad, type LoadRun } from "./run";
import { shardFromEnv } from "./shard";
import { httpTarget } from "./targets";

/**
 * Entry point of the `load-generator` Cloud Run Job: one task of a sharded load. Every task runs
 * `runLoad` over HTTP against AVALO_LOAD_URL with its share of the users and the rate
 * (CLOUD_RUN_TASK_INDEX / CLOUD_RUN_TASK_COUNT, set by Cloud Run) and writes its LoadRun as one
 * JSON line to stdout (Cloud Logging keeps it; merge the tasks' lines to get the whole load).
 *
 * Environment:
 * - AVALO_LOAD_URL (required): base URL of the target; `{service}` in it is replaced by the
 *   service name (e.g. `https://{service}-abc123-ue.a.run.app`), else every service is under it.
 * - AVALO_LOAD_USERS, AVALO_LOAD_RATE (ops/s), AVALO_LOAD_DURATION (`60s`, `5m`): the whole load,
 *   all tasks together. Defaults: LOAD_DEFAULTS.
 * - AVALO_LOAD_RAMP_UP, AVALO_LOAD_MIX (`feed=40,...`), AVALO_LOAD_SEED, AVALO_LOAD_MAX_IN_FLIGHT.
 * - AVALO_LOAD_AUTH: `id-token` (default: Google ID tokens for each service URL, from the job's
 *   service account) or `none`.
 * - GOOGLE_CLOUD_PROJECT: checked by the production guard with the URL;
 *   AVALO_LOAD_I_KNOW_THIS_IS_PRODUCTION=true overrides it.
 *
 * Exit code: 0 when the task ran (the verdict is in the JSON; a failed threshold must not make
 * Cloud Run retry the task), 2 for a configuration error or a refused target.
 */

function numberFrom(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const text = env[key];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new LoadConfigError(key, text, "a number is allowed");
  return value;
}

/** Builds the options from the environment and runs this task's share. */
export async function runLoadJob(env: NodeJS.ProcessEnv = process.env): Promise<LoadRun> {
  const url = env.AVALO_LOAD_URL;
  if (!url) throw new LoadConfigError("AVALO_LOAD_URL", "", "the target's base URL is required");
  assertNotProduction({
    urls: [url],
    projectId: env.GOOGLE_CLOUD_PROJECT,
    productionProjects: [],
    allowProduction: env.AVALO_LOAD_I_KNOW_THIS_IS_PRODUCTION === "true",
    overrideName: "AVALO_LOAD_I_KNOW_THIS_IS_PRODUCTION=true",
  });
  const auth = env.AVALO_LOAD_AUTH ?? "id-token";
  if (auth !== "id-token" && auth !== "none") {
    throw new LoadConfigError("AVALO_LOAD_AUTH", auth, "allowed: id-token, none");
  }
  const durationSeconds = env.AVALO_LOAD_DURATION
    ? parseDurationSeconds(env.AVALO_LOAD_DURATION, "AVALO_LOAD_DURATION")
    : LOAD_DEFAULTS.durationSeconds;
  const maxInFlight = numberFrom(env, "AVALO_LOAD_MAX_IN_FLIGHT", LOAD_DEFAULTS.maxInFlight);
  return runLoad({
    target: httpTarget({
      urlFor: (service) => url.replace(/\{service\}/g, service),
      tokens: auth === "none" ? noIdTokens : googleIdTokens(),
      maxSockets: maxInFlight,
    }),
    mix: env.AVALO_LOAD_MIX ? parseMix(env.AVALO_LOAD_MIX, "AVALO_LOAD_MIX") : DEFAULT_MIX,
    users: numberFrom(env, "AVALO_LOAD_USERS", LOAD_DEFAULTS.users),
    ratePerSecond: numberFrom(env, "AVALO_LOAD_RATE", LOAD_DEFAULTS.ratePerSecond),
    durationSeconds,
    rampUpSeconds: env.AVALO_LOAD_RAMP_UP
      ? parseDurationSeconds(env.AVALO_LOAD_RAMP_UP, "AVALO_LOAD_RAMP_UP", true)
      : Math.min(LOAD_DEFAULTS.rampUpSeconds, durationSeconds),
    seed: env.AVALO_LOAD_SEED ? numberFrom(env, "AVALO_LOAD_SEED", 0) : undefined,
    maxInFlight,
    shard: shardFromEnv(env),
  });
}

if (require.main === module) {
  runLoadJob().then(
    (run) => {
      process.stdout.write(`${JSON.stringify(run)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
