/**
 * The load simulator (`avalo load`, the `load-generator` Cloud Run Job): plain TypeScript, no
 * Pulumi, bundleable with esbuild. `runLoad` drives a real open-loop load against a LoadTarget;
 * `simulateLoad` models one too big for one machine; job.ts is the Cloud Run Job entry.
 */
export { LOAD_DEFAULTS } from "./defaults";
export { parseDurationSeconds } from "./duration";
export {
  LoadConfigError,
  LoadOperationError,
  NOT_SENT_IN_FLIGHT_CAP,
  ProductionTargetError,
} from "./errors";
export { assertNotProduction, productionReason, type GuardInput } from "./guard";
export { DEFAULT_MIX, formatMix, operationPicker, parseMix, type Mix, type Operation } from "./mix";
export { OPERATION_ROUTES } from "./operations";
export { newSeed, seededRandom } from "./random";
export {
  runLoad,
  resolveLoadConfig,
  type LoadConfig,
  type LoadProgress,
  type LoadRun,
  type RunLoadOptions,
} from "./run";
export { openLoopSchedule, type ArrivalSchedule } from "./schedule";
export { parseShard, shardFromEnv, shardRate, shardUsers, type Shard } from "./shard";
export { simulateLoad, type SimulationOptions, type SimulationResult } from "./simulation";
export { httpTarget, platformTarget, type LoadTarget } from "./targets";
export { checkThresholds, DEFAULT_THRESHOLDS, type Thresholds } from "./thresholds";
export { projectLoadCost, twentyMillionProjection, usageModelOfLoad } from "./cost";
