import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/**
 * The production stacks of this Pulumi project: every `Pulumi.<stack>.yaml` whose
 * `avalo:environment` is `prod`, with its `gcp:project`. The load command's guard refuses those
 * project ids.
 */
export function productionProjects(rootDir: string): Array<{ stack: string; project: string }> {
  const found: Array<{ stack: string; project: string }> = [];
  for (const file of readdirSync(rootDir)
    .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
    .sort()) {
    const doc = parse(readFileSync(join(rootDir, file), "utf8")) as {
      config?: Record<string, unknown>;
    } | null;
    const config = doc?.config ?? {};
    const project = config["gcp:project"];
    if (config["avalo:environment"] === "prod" && typeof project === "string") {
      found.push({ stack: file.slice("Pulumi.".length, -".yaml".length), project });
    }
  }
  return found;
}
