import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import {
  fetchCatalog,
  refreshFromCatalog,
  skuPageSchema,
  type CatalogSku,
} from "../runtime/cost/catalog";
import { estimateStack } from "../runtime/cost/estimate";
import { formatCostSummary, formatCostTable, formatPriceTable } from "../runtime/cost/format";
import { applyFreeTier } from "../runtime/cost/free-tier";
import { PRICES, STORED_PRICES } from "../runtime/cost/prices";
import { costReport, stackCost } from "../runtime/cost/report";
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
                  [--format text|json] [--free-tier]
       avalo cost prices refresh [--from FILE] [--out FILE] [--date YYYY-MM-DD]

Prices out/plan/<stack>.json (fixed costs from resource inputs; with --usage, the stack's share of
the usage model's traffic too). With --usage, also prints the model's projection beside the scale
report, the naive variant, and growth across the 10k/1m/20m models found beside the file.
--lines prints every priced line instead of the per-category summary; --prices prints the price
table with the source and date of every figure. --format json prints the report in the schema of
runtime/cost/report.ts (avalo.cost-report/v1). --free-tier deducts the free allowances once per
billing account (the stacks together) or per project; off by default.
Totals hold only prices quoted for each line's own location; a line priced only elsewhere stays
unknown and its borrowed figure is printed beside the total, never in it.

prices refresh reads the Cloud Billing Catalog API (services.skus.list) for the table's SKUs with
CLOUD_BILLING_API_KEY or GOOGLE_OAUTH_ACCESS_TOKEN, or a recorded response (--from: a JSON object
of service display name → services.skus.list pages), and rewrites runtime/cost/catalog-prices.json
(or --out) with the figures and the date. Without credentials nothing is written: the stored
table is used.
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
  readonly format: "text" | "json";
  readonly freeTier: boolean;
}

class CostArgsError extends Error {}

function parseArgs(argv: readonly string[], cwd: string): CostOptions {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  let usage: string | undefined;
  let planDir = join(cwd, "out", "plan");
  const stacks: string[] = [];
  let lines = false;
  let prices = false;
  let format: CostOptions["format"] = "text";
  let freeTier = false;
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
    else if (arg === "--free-tier") freeTier = true;
    else if (arg === "--format") {
      const v = value();
      if (v !== "text" && v !== "json") {
        throw new CostArgsError(`--format: "${v}" is not allowed; allowed: text, json`);
      }
      format = v;
    } else throw new CostArgsError(`unknown argument "${arg}"`);
  }
  for (const s of stacks) {
    if (!STACK_NAMES.includes(s as (typeof STACK_NAMES)[number])) {
      throw new CostArgsError(`--stack: "${s}" is not a stack; allowed: ${STACK_NAMES.join(", ")}`);
    }
  }
  return { usage, planDir, stacks, lines, prices, format, freeTier };
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
    if (argv[0] === "prices" && argv[1] === "refresh") {
      return await refreshPrices(argv.slice(2), io, cwd);
    }
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
    const priced = plans.map((plan) => estimateStack(plan, model));
    const estimates = options.freeTier ? applyFreeTier(priced) : priced;
    const projection = model && options.usage ? project(model) : undefined;
    if (options.format === "json") {
      const stacks = plans.map((plan, i) =>
        stackCost(plan.stack, plan.geography, model?.name ?? null, estimates[i]),
      );
      io.out(JSON.stringify(costReport(stacks, projection, options.freeTier), null, 2) + "\n");
      return 0;
    }
    const sections: string[] = estimates.map((estimate) =>
      options.lines ? formatCostTable(estimate) : formatCostSummary(estimate),
    );
    if (model && options.usage && projection) {
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

function refreshArgs(argv: readonly string[], cwd: string) {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  let from: string | undefined;
  let out = join(__dirname, "..", "runtime", "cost", "catalog-prices.json");
  let date = new Date().toISOString().slice(0, 10);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const v = argv[++i];
    if (v === undefined) throw new CostArgsError(`${arg} needs a value`);
    if (arg === "--from") from = abs(v);
    else if (arg === "--out") out = abs(v);
    else if (arg === "--date") {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) {
        throw new CostArgsError(`--date: "${v}" is not allowed; allowed: YYYY-MM-DD`);
      }
      date = v;
    } else throw new CostArgsError(`unknown argument "${arg}"`);
  }
  return { from, out, date };
}

/** A recorded catalog: service display name → the pages `services.skus.list` returned. */
function readRecorded(file: string): Record<string, CatalogSku[]> {
  const document = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const result: Record<string, CatalogSku[]> = {};
  for (const [service, pages] of Object.entries(document)) {
    if (!Array.isArray(pages)) {
      throw new CostArgsError(`${file}: "${service}" is not a list of services.skus.list pages`);
    }
    result[service] = pages.flatMap((page) => skuPageSchema.parse(page).skus);
  }
  return result;
}

/** `avalo cost prices refresh`. */
async function refreshPrices(argv: readonly string[], io: CostIo, cwd: string): Promise<number> {
  const { from, out, date } = refreshArgs(argv, cwd);
  const apiKey = process.env.CLOUD_BILLING_API_KEY;
  const accessToken = process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
  let catalog: Record<string, CatalogSku[]>;
  if (from) catalog = readRecorded(from);
  else if (apiKey || accessToken) {
    try {
      catalog = await fetchCatalog(STORED_PRICES, { apiKey, accessToken });
    } catch (error) {
      io.err(`prices refresh: ${(error as Error).message}; the stored table is used\n`);
      return 0;
    }
  } else {
    io.out(
      "prices refresh: no CLOUD_BILLING_API_KEY or GOOGLE_OAUTH_ACCESS_TOKEN; the stored table is used, nothing written\n",
    );
    return 0;
  }
  const { file, unmatched } = refreshFromCatalog(STORED_PRICES, catalog, date);
  writeFileSync(out, JSON.stringify(file, null, 2) + "\n");
  io.out(
    `prices refresh: ${file.prices.length} figures from the Cloud Billing Catalog (${date}) written to ${out}` +
      (unmatched.length > 0 ? `; not in the catalog response: ${unmatched.join(", ")}` : "") +
      "\n",
  );
  return 0;
}
