import { isAbsolute, join, resolve } from "node:path";
import { STACK_NAMES } from "../../runtime/topology";

/** Options of `avalo preview`. */
export interface PreviewOptions {
  /** Stacks to preview, in order. @default every stack of the topology */
  readonly stacks: readonly string[];
  /** Directory holding `Pulumi.yaml` and the `Pulumi.<stack>.yaml` files. @default cwd */
  readonly configDir: string;
  /** Program entry module. @default stacks/index.ts */
  readonly program: string;
  /** Where the plans are written. @default out/plan */
  readonly outDir: string;
  /** Directory of base plans (`<stack>.json`) to diff against. */
  readonly base?: string;
  /** Markdown report destination; "-" for stdout. */
  readonly markdown?: string;
  /**
   * Stacks previewed at once, one child process each. @default every requested stack: the three
   * workers share both cores, so none waits for a free lane while a core idles at the end.
   */
  readonly jobs: number;
  /** Per-stack policy config (`<stack>.json`). @default policies/config */
  readonly policyConfigDir: string;
  /**
   * Where the cost section is written as JSON (runtime/cost/report.ts, avalo.cost-report/v1);
   * "-" for stdout. @default not written
   */
  readonly costJson?: string;
}

/** Bad command-line usage; reported like a config error (exit 1). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const PREVIEW_USAGE = `usage: avalo preview [--stack NAME]... [--base DIR] [--markdown [FILE|-]]
                     [--config-dir DIR] [--program FILE] [--out DIR] [--jobs N]
                     [--policy-config DIR] [--cost-json [FILE|-]]

Runs the Pulumi program of each stack offline under the SDK mocks, writes out/plan/<stack>.json,
checks GCP input constraints and the policy pack, and diffs against --base plans.
--cost-json writes the cost section as JSON in the schema of \`avalo cost --format json\`.
Exit codes: 0 ok, 1 config error, 2 constraint or mandatory policy violation.`;

const REPO_ROOT = resolve(__dirname, "..", "..");

/** Parses `avalo preview` arguments; paths resolve against `cwd`. */
export function parsePreviewArgs(argv: readonly string[], cwd = process.cwd()): PreviewOptions {
  const stacks: string[] = [];
  let configDir = cwd;
  let program = join(REPO_ROOT, "stacks", "index.ts");
  let outDir = join(cwd, "out", "plan");
  let base: string | undefined;
  let markdown: string | undefined;
  let costJson: string | undefined;
  let jobs: number | undefined;
  let policyConfigDir = join(REPO_ROOT, "policies", "config");
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--"))
        throw new UsageError(`${arg} needs a value\n${PREVIEW_USAGE}`);
      return v;
    };
    switch (arg) {
      case "--stack":
        stacks.push(...value().split(","));
        break;
      case "--base":
        base = abs(value());
        break;
      case "--markdown":
        markdown = argv[i + 1] === undefined || argv[i + 1].startsWith("--") ? "-" : argv[++i];
        if (markdown !== "-") markdown = abs(markdown);
        break;
      case "--cost-json":
        costJson = argv[i + 1] === undefined || argv[i + 1].startsWith("--") ? "-" : argv[++i];
        if (costJson !== "-") costJson = abs(costJson);
        break;
      case "--config-dir":
        configDir = abs(value());
        break;
      case "--program":
        program = abs(value());
        break;
      case "--out":
        outDir = abs(value());
        break;
      case "--policy-config":
        policyConfigDir = abs(value());
        break;
      case "--jobs": {
        const v = value();
        jobs = Number(v);
        if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) {
          throw new UsageError(`--jobs must be an integer from 1 to 16, but ${v} was provided`);
        }
        break;
      }
      default:
        throw new UsageError(`unknown argument "${arg}"\n${PREVIEW_USAGE}`);
    }
  }
  for (const s of stacks) {
    if (!STACK_NAMES.includes(s as (typeof STACK_NAMES)[number])) {
      throw new UsageError(`--stack "${s}" is not a stack; allowed: ${STACK_NAMES.join(", ")}`);
    }
  }
  const selected = stacks.length > 0 ? [...new Set(stacks)] : [...STACK_NAMES];
  return {
    stacks: selected,
    configDir,
    program,
    outDir,
    base,
    markdown,
    jobs: jobs ?? selected.length,
    policyConfigDir,
    ...(costJson ? { costJson } : {}),
  };
}

/** The repository root (where `stacks/`, `cli/` and `policies/` live). */
export function repoRoot(): string {
  return REPO_ROOT;
}
