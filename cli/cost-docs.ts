import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { format, resolveConfig } from "prettier";
import { formatGrowthMarkdown, formatReportMarkdown, project } from "../runtime/cost/projection";
import { costReportJsonSchema } from "../runtime/cost/report";
import { loadUsageModel } from "../runtime/cost/usage";

/**
 * Documents generated from the cost model, never pasted: the 20M projection and growth tables
 * of `docs/cost.md` (between `<!-- cost:NAME:begin -->` and `<!-- cost:NAME:end -->`) and the
 * report's JSON Schema. `npm run cost:docs` rewrites them; `npm run cost:docs -- --check` (and a test) fails
 * when one has drifted from what the command prints.
 */

const ROOT = join(__dirname, "..");

/** One generated document: its file and the content it should have. */
export interface GeneratedDoc {
  readonly file: string;
  readonly actual: string;
  readonly expected: string;
}

function block(text: string, name: string, content: string, file: string): string {
  const begin = `<!-- cost:${name}:begin -->`;
  const end = `<!-- cost:${name}:end -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${file}: markers ${begin} … ${end} not found`);
  return `${text.slice(0, i + begin.length)}\n${content}\n${text.slice(j)}`;
}

/** The generated documents as they are and as they should be (formatted as Prettier would). */
export async function costDocs(root = ROOT): Promise<GeneratedDoc[]> {
  const models = ["10k", "1m", "20m"].map((m) => loadUsageModel(join(root, "usage", `${m}.yaml`)));
  const projections = models.map(project);
  const readmeFile = join(root, "docs", "cost.md");
  const readme = readFileSync(readmeFile, "utf8");
  const withProjection = block(
    readme,
    "projection-20m",
    formatReportMarkdown(projections[2]),
    readmeFile,
  );
  const expectedReadme = block(
    withProjection,
    "growth",
    formatGrowthMarkdown(projections),
    readmeFile,
  );
  const schemaFile = join(root, "runtime", "cost", "cost-report.schema.json");
  let schema = "";
  try {
    schema = readFileSync(schemaFile, "utf8");
  } catch {
    schema = "";
  }
  const pretty = async (text: string, file: string) =>
    format(text, { ...(await resolveConfig(file)), filepath: file });
  return [
    { file: readmeFile, actual: readme, expected: await pretty(expectedReadme, readmeFile) },
    {
      file: schemaFile,
      actual: schema,
      expected: await pretty(JSON.stringify(costReportJsonSchema(), null, 2), schemaFile),
    },
  ];
}

/** `tsx cli/cost-docs.ts [--check]`. */
async function main(argv: readonly string[]): Promise<number> {
  const docs = await costDocs();
  const drifted = docs.filter((d) => d.actual !== d.expected);
  if (argv.includes("--check")) {
    for (const d of drifted)
      process.stderr.write(`${d.file}: out of date; run npm run cost:docs\n`);
    return drifted.length > 0 ? 1 : 0;
  }
  for (const d of drifted) {
    writeFileSync(d.file, d.expected);
    process.stdout.write(`${d.file}: regenerated\n`);
  }
  return 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
