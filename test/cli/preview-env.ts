import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { parsePreviewArgs, type PreviewOptions } from "../../cli/preview/options";
import { runPreview, type PreviewResult } from "../../cli/preview/run";

/** The repository root, where the real Pulumi.yaml and stack files live. */
export const ROOT = resolve(__dirname, "..", "..");
/** The compiled preview worker's entry point (cli/preview/speed/pool.ts compiles it). */
export const WORKER_ENTRY = join(ROOT, "cli", "preview", "speed", "worker-entry.ts");
/** The small program the preview tests run instead of stacks/index.ts. */
export const FIXTURE_PROGRAM = join(__dirname, "fixtures", "program.ts");

/**
 * A temporary project directory holding copies of Pulumi.yaml, the usage models and the given
 * stack's file, with `changes` merged into its `config:` map (a value of `null` removes the key).
 */
export function projectDir(stack: string, changes: Readonly<Record<string, unknown>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "avalo-preview-"));
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  cpSync(join(ROOT, "usage"), join(dir, "usage"), { recursive: true });
  const doc = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete doc.config[key];
    else doc.config[key] = value;
  }
  writeFileSync(join(dir, `Pulumi.${stack}.yaml`), stringify(doc));
  return dir;
}

/** Runs `avalo preview` in-process (workers are still child processes) and captures its output. */
export async function preview(
  args: readonly string[],
): Promise<PreviewResult & { stdout: string; stderr: string; options: PreviewOptions }> {
  let stdout = "";
  let stderr = "";
  const options = parsePreviewArgs(args);
  const result = await runPreview(options, {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
  });
  return { ...result, stdout, stderr, options };
}
