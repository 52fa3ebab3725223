import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { loadUsageModel, UsageModelError, type UsageModel } from "../../runtime/cost/usage";
import { StackFileError } from "./stack-files";

/** Stack config key naming the usage model that prices the stack's traffic. */
const USAGE_MODEL_KEY = "avalo:usageModel";

/** A stack's usage model: its file and the validated model. */
export interface StackUsageModel {
  /** The path of `avalo:usageModel`, resolved against the project directory. */
  readonly path: string;
  readonly model: UsageModel;
}

/**
 * Reads `avalo:usageModel` from a stack's config: unset gives undefined (fixed costs only); a
 * value that is not a readable, valid usage file throws a StackFileError naming the key.
 */
export function stackUsageModel(
  config: Readonly<Record<string, unknown>>,
  configDir: string,
): StackUsageModel | undefined {
  const value = config[USAGE_MODEL_KEY];
  if (value === undefined) return undefined;
  const allowed = "allowed: the path of a usage file relative to the project, e.g. usage/1m.yaml";
  if (typeof value !== "string" || value === "") {
    throw new StackFileError(
      `${USAGE_MODEL_KEY}: ${JSON.stringify(value)} is not a path; ${allowed}`,
    );
  }
  const path = isAbsolute(value) ? value : join(configDir, value);
  if (!existsSync(path)) {
    throw new StackFileError(
      `${USAGE_MODEL_KEY}: ${JSON.stringify(value)} does not exist; ${allowed}`,
    );
  }
  try {
    return { path, model: loadUsageModel(path) };
  } catch (error) {
    if (!(error instanceof UsageModelError)) throw error;
    const detail = error.message.slice(error.source.length + 2);
    throw new StackFileError(`${USAGE_MODEL_KEY}: ${JSON.stringify(value)}: ${detail}`);
  }
}
