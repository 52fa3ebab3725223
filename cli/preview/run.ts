import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Plan } from "../../plan/record";
import { statefulDestroys } from "../../policies/rules/stateful";
import { diffPlans } from "./diff";
import { renderMarkdown } from "./markdown";
import { parsePreviewArgs, repoRoot, UsageError, type PreviewOptions } from "./options";
import { EXIT, exitCode, type StackOutcome } from "./outcome";
import { renderCostText, renderText } from "./text-report";
import type { WorkerJob } from "./worker";
import { runWorkers } from "./speed";

/** Where `avalo preview` writes its report (stdout and stderr by default). */
export interface PreviewIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: PreviewIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** Result of a preview run, for tests and the benchmark. */
export interface PreviewResult {
  readonly exitCode: number;
  readonly outcomes: readonly StackOutcome[];
  readonly markdown?: string;
}

/** `avalo preview [args]`: parses the arguments, runs the preview and returns the exit code. */
export async function previewCommand(
  argv: readonly string[],
  io: PreviewIo = processIo,
): Promise<number> {
  let options: PreviewOptions;
  try {
    options = parsePreviewArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\n`);
    return EXIT.config;
  }
  return (await runPreview(options, io)).exitCode;
}

/**
 * Previews every requested stack, each in its own child process, `jobs` at a time; writes the
 * plans, prints the report, and renders the markdown when asked.
 */
export async function runPreview(
  options: PreviewOptions,
  io: PreviewIo = processIo,
): Promise<PreviewResult> {
  const roots = [repoRoot(), process.cwd(), options.configDir];
  const jobs = options.stacks.map((stack): WorkerJob => ({
    stack,
    configDir: options.configDir,
    program: options.program,
    policyConfigDir: options.policyConfigDir,
    outDir: options.outDir,
    roots,
    ...(options.base ? { base: options.base } : {}),
  }));
  const replies = await runWorkers(jobs, options.jobs);
  mkdirSync(options.outDir, { recursive: true });
  const outcomes = replies.map(({ reply, ms }): StackOutcome => {
    if (!reply.ok) return { stack: reply.stack, findings: [], error: reply, ms };
    const base = options.base ? readBase(options.base, reply.stack) : undefined;
    const diff = options.base ? diffPlans(base, reply.plan) : undefined;
    const allowedDestroys = base
      ? statefulDestroys(base.resources, reply.plan.resources, reply.allowDestroy).filter(
          (d) => d.allowedBy,
        )
      : [];
    return {
      stack: reply.stack,
      plan: reply.plan,
      diff,
      findings: reply.findings,
      ms,
      programMs: reply.programMs,
      timing: reply.timing,
      costText: reply.costText,
      usageModel: reply.usageModel,
      allowDestroy: reply.allowDestroy,
      allowedDestroys,
    };
  });
  const planDir = relative(process.cwd(), options.outDir) || ".";
  io.out(renderText(outcomes, planDir));
  io.out(renderCostText(outcomes));
  const markdown = options.markdown
    ? renderMarkdown(outcomes) + costMarkdown(outcomes, options.base)
    : undefined;
  if (markdown !== undefined && options.markdown === "-") io.out(markdown);
  else if (markdown !== undefined && options.markdown) writeFileSync(options.markdown, markdown);
  if (options.costJson) {
    const json = costJson(outcomes);
    if (options.costJson === "-") io.out(json);
    else writeFileSync(options.costJson, json);
  }
  const code = exitCode(outcomes);
  const verdict = ["ok", "failed: config or program error", "failed: mandatory violations"][code];
  io.err(`avalo preview: ${verdict} (exit ${code})\n`);
  return { exitCode: code, outcomes, markdown };
}

function readBase(dir: string, stack: string): Plan | undefined {
  const file = join(dir, `${stack}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Plan) : undefined;
}

/** The cost section as JSON; its pricing modules are loaded only when asked for. */
function costJson(outcomes: readonly StackOutcome[]): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cost = require("./cost") as typeof import("./cost");
  return JSON.stringify(cost.costReportOf(outcomes), null, 2) + "\n";
}

/** The markdown cost delta; its pricing modules are loaded only when markdown is asked for. */
function costMarkdown(outcomes: readonly StackOutcome[], base: string | undefined): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cost = require("./cost") as typeof import("./cost");
  return cost.renderCostMarkdown(outcomes, base);
}
