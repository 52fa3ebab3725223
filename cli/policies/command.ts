import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parsePreviewArgs } from "../preview/options";
import { runPreview } from "../preview/run";
import { coverage, renderCoverageMarkdown, renderCoverageText } from "./coverage";

const USAGE = `usage: avalo policies --coverage [--markdown] [--out FILE]

  --coverage   every applicable check of Pulumi's Google Cloud packs and of Checkov, the rule
               implementing it, its level, and the shipped stacks' result (runs the offline preview)
  --markdown   render GitHub markdown (docs/policy-coverage.md is this output)
  --out FILE   write to FILE instead of stdout
`;

/** `avalo policies --coverage [--markdown] [--out FILE]`; resolves to the exit code. */
export async function runPoliciesCommand(
  argv: readonly string[],
  io = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) },
): Promise<number> {
  let markdown = false;
  let out: string | undefined;
  let wanted = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--coverage") wanted = true;
    else if (arg === "--markdown") markdown = true;
    else if (arg === "--out" && argv[i + 1] && !argv[i + 1].startsWith("--")) out = argv[++i];
    else {
      io.err(`unknown or incomplete argument "${arg}"\n${USAGE}`);
      return 1;
    }
  }
  if (!wanted) {
    io.err(USAGE);
    return 1;
  }
  const quiet = { out: () => undefined, err: (t: string) => io.err(t) };
  const result = await runPreview(parsePreviewArgs([]), quiet);
  const failed = result.outcomes.filter((o) => o.error);
  if (failed.length > 0) {
    io.err(`the preview failed for ${failed.map((o) => o.stack).join(", ")}; run avalo preview\n`);
    return 1;
  }
  const table = coverage(result.outcomes.map((o) => ({ stack: o.stack, findings: o.findings })));
  const text = markdown ? renderCoverageMarkdown(table) : renderCoverageText(table);
  if (out) writeFileSync(resolve(out), text);
  else io.out(text);
  return 0;
}
