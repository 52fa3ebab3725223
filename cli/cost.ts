import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { estimateStack } from "../runtime/cost/estimate";
import { formatCostSummary, formatCostTable, formatPriceTable } from "../runtime/cost/format";
import { PRICES } from "../runtime/cost/prices";
import {
  formatGrowth,
  formatReportComparison,
  formatSavingsByLever,
  project,
} from "../runtime/cost/projection";
import type { PlannedResource } from "../runtime/cost/types";
import { loadUsageModel, UsageModelError, type UsageModel } from "../runtime/cost/usage";
import { GEOGRAPHY_IDS, STACK_NAMES, type GeographyId } from "../runtime/topology";

export const COST_USAGE = `usage: avalo cost [--usage FILE] [--plan-dir DIR] [--stack NAME]... [--lines] [--prices]

Prices out/plan/<stack>.json (fixed costs from resource inputs; with --usage, the stack's share of
the usage model's traffic too). With --usage, also prints the model's projection beside the scale
report, the naive variant, and growth across the 10k/1m/20m models found beside the file.
--lines prints every priced line instead of the per-category summary; --prices prints the price
table with the source and date of every figure.
Exit codes: 0 ok, 1 bad arguments, unreadable plan or invalid usage file.`;

/** Where `avalo cost` writes; injectable for tests. */
export interface CostIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

interface CostOptions {
  readonly usage?: string;
  readonly planDir: string;
  readonly stacks: readonly string[];
  readonly lines: boolean;
  readonly prices: boolean;
}

class CostArgsError extends Error {}

function parseArgs(argv: readonly string[], cwd: string): CostOptions {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  let usage: string | undefined;
  let planDir = join(cwd, "out", "plan");
  const stacks: string[] = [];
  let lines = false;
  let prices = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new CostArgsError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--usage") usage = abs(value());
    else if (arg === "--plan-dir") planDir = abs(value());
    else if (arg === "--stack") stacks.push(...value().split(","));
    else if (arg === "--lines") lines = true;
    else if (arg === "--prices") prices = true;
    else throw new CostArgsError(`unknown argument "${arg}"`);
  }
  for (const s of stacks) {
    if (!STACK_NAMES.includes(s as (typeof STACK_NAMES)[number])) {
      throw new CostArgsError(`--stack: "${s}" is not a stack; allowed: ${STACK_NAMES.join(", ")}`);
    }
  }
  return { usage, planDir, stacks, lines, prices };
}

/** The part of `out/plan/<stack>.json` that pricing reads. */
interface PlanFile {
  readonly stack: string;
  readonly geography: GeographyId;
  readonly resources: readonly PlannedResource[];
}

function readPlan(path: string): PlanFile {
  const plan = JSON.parse(readFileSync(path, "utf8")) as Partial<PlanFile>;
  if (typeof plan.stack !== "string" || !Array.isArray(plan.resources)) {
    throw new CostArgsError(`${path}: not a plan (needs "stack" and "resources")`);
  }
  if (!GEOGRAPHY_IDS.includes(plan.geography as GeographyId)) {
    throw new CostArgsError(
      `${path}: geography ${JSON.stringify(plan.geography)} is not one of ${GEOGRAPHY_IDS.join(", ")}`,
    );
  }
  return plan as PlanFile;
}

function planFiles(options: CostOptions): string[] {
  if (!existsSync(options.planDir)) return [];
  const names = readdirSync(options.planDir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  const wanted = options.stacks.length > 0 ? options.stacks : null;
  const files = names.filter((f) => !wanted || wanted.includes(basename(f, ".json")));
  for (const s of wanted ?? []) {
    if (!files.includes(`${s}.json`)) {
      throw new CostArgsError(
        `no plan for stack "${s}" in ${options.planDir}; run \`npm run preview\``,
      );
    }
  }
  return files.map((f) => join(options.planDir, f));
}

/** The 10k, 1m and 20m models beside `file` (those that exist), in growth order. */
function growthModels(file: string, model: UsageModel): UsageModel[] {
  const dir = dirname(file);
  const models = ["10k.yaml", "1m.yaml", "20m.yaml"]
    .map((f) => join(dir, f))
    .filter((f) => existsSync(f))
    .map((f) => (resolve(f) === resolve(file) ? model : loadUsageModel(f)));
  return models.length > 0 ? models : [model];
}

/**
 * `avalo cost`: prices the offline plans and, with `--usage`, the usage model's projection.
 * Resolves to the exit code.
 */
export async function runCostCommand(
  argv: readonly string[],
  io: CostIo = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
  cwd = process.cwd(),
): Promise<number> {
  try {
    const options = parseArgs(argv, cwd);
    if (options.prices) {
      io.out(formatPriceTable(PRICES) + "\n");
      return 0;
    }
    const model = options.usage ? loadUsageModel(options.usage) : undefined;
    const plans = planFiles(options).map(readPlan);
    if (plans.length === 0 && !model) {
      throw new CostArgsError(
        `no plan files in ${options.planDir}; run \`npm run preview\` first, or pass --usage FILE`,
      );
    }
    const sections: string[] = [];
    for (const plan of plans) {
      const estimate = estimateStack(plan, model);
      sections.push(options.lines ? formatCostTable(estimate) : formatCostSummary(estimate));
    }
    if (model && options.usage) {
      const projection = project(model);
      sections.push(formatReportComparison(projection));
      const growth = growthModels(options.usage, model).map((m) =>
        m === model ? projection : project(m),
      );
      sections.push(formatGrowth(growth));
      sections.push(...growth.map((p) => formatSavingsByLever(p.model)));
    }
    io.out(sections.join("\n\n") + "\n");
    return 0;
  } catch (error) {
    if (error instanceof CostArgsError || error instanceof UsageModelError) {
      io.err(`${error.message}\n\n${COST_USAGE}\n`);
      return 1;
    }
    if (error instanceof SyntaxError) {
      io.err(`unreadable plan: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
