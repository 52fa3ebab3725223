import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** A missing or malformed Pulumi project or stack file. */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

/** Stack config as the mock runtime wants it: `namespace:key` → value, plus the secret keys. */
export interface StackFileConfig {
  readonly project: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly secretKeys: readonly string[];
}

function readYaml(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new StackFileError(`${file} does not exist`);
  const doc: unknown = parse(readFileSync(file, "utf8"));
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new StackFileError(`${file} must hold a YAML map`);
  }
  return doc as Record<string, unknown>;
}

/**
 * Reads `Pulumi.yaml` (project name) and `Pulumi.<stack>.yaml` (its `config:` map) from `dir`.
 * Keys without a namespace get the project's, as the Pulumi CLI does; `secure:` values are
 * marked secret.
 */
export function readStackFiles(dir: string, stack: string): StackFileConfig {
  const projectFile = join(dir, "Pulumi.yaml");
  const project = readYaml(projectFile).name;
  if (typeof project !== "string" || project.length === 0) {
    throw new StackFileError(
      `${projectFile}: name must be the project name, found ${JSON.stringify(project)}`,
    );
  }
  const stackFile = join(dir, `Pulumi.${stack}.yaml`);
  const raw = readYaml(stackFile).config ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new StackFileError(`${stackFile}: config must be a map of keys to values`);
  }
  const config: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const full = key.includes(":") ? key : `${project}:${key}`;
    const secure = value && typeof value === "object" && "secure" in value;
    config[full] = secure ? (value as { secure: unknown }).secure : value;
    if (secure) secretKeys.push(full);
  }
  return { project, config, secretKeys };
}
