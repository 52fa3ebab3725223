import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { expect } from "chai";
import ts from "typescript";

/**
 * Every command and example in `README.md` and `docs/*.md` is checked against the code, in the
 * spirit of Fabric's `tftest` lines:
 *
 * - ```ts / ```typescript blocks are type-checked together with the TypeScript compiler API and
 *   the repository's `tsconfig.json` options. Each block is a module placed (in memory) at the
 *   repository root, so its imports are written as `./runtime/...`, as a reader at the root would.
 * - ```sh / ```bash blocks: every `npm start`, `npm test` and `npm run X` names a script of
 *   `package.json`; every `npx tsx cli/avalo.ts <sub>` or `avalo <sub>` names a subcommand that
 *   `cli/avalo.ts` dispatches; every repository path on a command line exists (a glob matches
 *   at least one file).
 * - Every repository path quoted in inline code in the prose exists, and every relative link
 *   names a file that exists and, with `#anchor`, a heading of that file.
 *
 * The commands themselves are not run: `pulumi up`, `gcloud run jobs execute` and a 20-minute load
 * test need a cloud account or far more time than a unit test has, so checking what each command
 * names against the code is the honest substitute.
 */

const ROOT = join(__dirname, "..", "..");

/** Top-level folders and files of the repository that a doc may name by path. */
const REPO_PREFIXES = [
  "bench/",
  "cli/",
  "components/",
  "docs/",
  "policies/",
  "runtime/",
  "scripts/",
  "stacks/",
  "test/",
  "usage/",
  ".github/",
];

/** A fenced code block of a markdown file. */
export interface CodeBlock {
  readonly file: string;
  readonly lang: string;
  /** 1-based line of the block's first content line in `file`. */
  readonly line: number;
  readonly text: string;
}

/** The fenced code blocks of a markdown text. */
export function codeBlocks(file: string, markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`${file}:${i + 1}: unclosed code block`);
    blocks.push({
      file,
      lang: open[1].toLowerCase(),
      line: start + 1,
      text: lines.slice(start, end).join("\n"),
    });
    i = end;
  }
  return blocks;
}

/** What the shell checks compare against. */
export interface RepoFacts {
  readonly scripts: ReadonlySet<string>;
  readonly subcommands: ReadonlySet<string>;
  readonly exists: (path: string) => boolean;
}

/** The subcommands in the `COMMANDS` table of `cli/avalo.ts`, read from its source. */
export function avaloSubcommands(source: string): Set<string> {
  const start = source.indexOf("const COMMANDS");
  const end = source.indexOf("\n};", start);
  if (start < 0 || end < 0) throw new Error("cli/avalo.ts: no COMMANDS table found");
  const table = source.slice(start, end);
  return new Set([...table.matchAll(/^ {2}"?([a-z][a-z-]*)"?: \{/gm)].map((m) => m[1]));
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${escaped.replace(/\*/g, "[^/]*")}$`);
}

function repoPathExists(path: string): boolean {
  if (!path.includes("*")) return existsSync(join(ROOT, path));
  const dir = dirname(path);
  if (dir.includes("*") || !existsSync(join(ROOT, dir))) return false;
  const pattern = globToRegExp(path);
  return readdirSync(join(ROOT, dir)).some((name) => pattern.test(`${dir}/${name}`));
}

/** Whether a token names a file of the repository (not a generated one under `out/`). */
export function isRepoPath(token: string): boolean {
  return REPO_PREFIXES.some((p) => token.startsWith(p)) && !/[<>{}…]|\.\.\./.test(token);
}

function stripQuotes(token: string): string {
  return token.replace(/^['"]|['"]$/g, "");
}

/** The problems of one shell line (empty when it names only things that exist). */
export function checkShellLine(line: string, facts: RepoFacts): string[] {
  const problems: string[] = [];
  const code = line.replace(/(^|\s)#.*$/, "").replace(/\\$/, "");
  for (const segment of code.split(/&&|\|\||;|\|/)) {
    const words = segment.trim().split(/\s+/).filter(Boolean);
    while (words.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) words.shift();
    const [cmd, a1, a2, a3] = words;
    if (cmd === "npm" && (a1 === "start" || a1 === "test") && !facts.scripts.has(a1)) {
      problems.push(`npm ${a1}: package.json has no "${a1}" script`);
    }
    if (cmd === "npm" && a1 === "run" && (a2 === undefined || !facts.scripts.has(a2))) {
      problems.push(`npm run ${a2 ?? ""}: package.json has no such script`);
    }
    const sub =
      cmd === "npx" && a1 === "tsx" && a2 === "cli/avalo.ts"
        ? a3
        : cmd === "avalo"
          ? a1
          : undefined;
    const namesAvalo = (cmd === "npx" && a1 === "tsx" && a2 === "cli/avalo.ts") || cmd === "avalo";
    if (namesAvalo && (sub === undefined || !facts.subcommands.has(sub))) {
      problems.push(`avalo ${sub ?? ""}: cli/avalo.ts dispatches no such subcommand`);
    }
    for (const word of words.map(stripQuotes)) {
      if (isRepoPath(word) && !facts.exists(word)) problems.push(`${word}: no such file`);
    }
  }
  return problems;
}

/** The repository paths quoted in inline code of a markdown text's prose that do not exist. */
export function missingInlinePaths(markdown: string, exists: (path: string) => boolean): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```\s*$/gm, "");
  const missing: string[] = [];
  for (const m of prose.matchAll(/`([^`\s]+)`/g)) {
    const path = m[1].replace(/[.,:;]$/, "");
    if (isRepoPath(path) && !exists(path)) missing.push(path);
  }
  return missing;
}

/** A heading's anchor as GitHub renders it. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The relative links of a markdown file (at repo path `file`) that lead nowhere. */
export function brokenLinks(file: string, markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```\s*$/gm, "");
  const broken: string[] = [];
  for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    const link = m[1];
    if (/^[a-z]+:/.test(link)) continue;
    const [path, anchor] = link.split("#");
    const target = path === "" ? file : join(dirname(file), path);
    if (!existsSync(join(ROOT, target))) {
      broken.push(`${link}: no such file`);
      continue;
    }
    if (anchor === undefined) continue;
    const headings = readFileSync(join(ROOT, target), "utf8")
      .replace(/^```[\s\S]*?^```\s*$/gm, "")
      .split("\n")
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => headingAnchor(l.replace(/^#+ /, "")));
    if (!headings.includes(anchor)) broken.push(`${link}: no heading #${anchor} in ${target}`);
  }
  return broken;
}

const DOCS = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

function repoFacts(): RepoFacts {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  return {
    scripts: new Set(Object.keys(pkg.scripts)),
    subcommands: avaloSubcommands(readFileSync(join(ROOT, "cli", "avalo.ts"), "utf8")),
    exists: repoPathExists,
  };
}

function allBlocks(): CodeBlock[] {
  return DOCS.flatMap((f) => codeBlocks(f, readFileSync(join(ROOT, f), "utf8")));
}

/** Type-checks the blocks as modules at the repository root; returns the diagnostics. */
function compileBlocks(blocks: readonly CodeBlock[]): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => ts.sys.write(String(d.messageText)) },
  );
  if (!config) throw new Error("tsconfig.json could not be read");
  const virtual = new Map<string, CodeBlock>();
  blocks.forEach((b, i) =>
    virtual.set(join(ROOT, `__docs_check_${i}_${b.file.replace(/\W/g, "_")}.ts`), b),
  );
  const options = { ...config.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f)?.text ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const block = virtual.get(f);
    return block
      ? ts.createSourceFile(f, block.text, lang, true)
      : getSourceFile.call(host, f, lang, ...rest);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const block = d.file ? virtual.get(d.file.fileName) : undefined;
    if (!d.file || d.start === undefined) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return block
      ? `${block.file}:${block.line + line}: ${text}`
      : `${relative(ROOT, d.file.fileName)}:${line + 1}: ${text}`;
  });
}

describe("docs: README.md and docs/*.md", () => {
  const facts = repoFacts();

  it("finds the blocks of every doc, a TypeScript example and a shell block at least", () => {
    const blocks = allBlocks();
    expect(DOCS).to.include.members(["README.md", "docs/security.md", "docs/pipelines.md"]);
    expect(blocks.filter((b) => b.lang === "ts").length).to.be.greaterThan(0);
    expect(blocks.filter((b) => b.lang === "sh").length).to.be.greaterThan(0);
    const known = new Set(["", "ts", "typescript", "sh", "bash"]);
    expect(blocks.filter((b) => !known.has(b.lang)).map((b) => `${b.file}:${b.line}`)).to.eql([]);
  });

  it("compiles every TypeScript example with the repository's compiler options", function () {
    this.timeout(180_000);
    const blocks = allBlocks().filter((b) => b.lang === "ts" || b.lang === "typescript");
    expect(compileBlocks(blocks)).to.eql([]);
  });

  it("names only package.json scripts, avalo subcommands and repository files that exist in every shell block", () => {
    const problems = allBlocks()
      .filter((b) => b.lang === "sh" || b.lang === "bash")
      .flatMap((b) =>
        b.text
          .split("\n")
          .flatMap((l, i) => checkShellLine(l, facts).map((p) => `${b.file}:${b.line + i}: ${p}`)),
      );
    expect(problems).to.eql([]);
  });

  it("names only repository files that exist in the prose", () => {
    const problems = DOCS.flatMap((f) =>
      missingInlinePaths(readFileSync(join(ROOT, f), "utf8"), repoPathExists).map(
        (p) => `${f}: ${p}`,
      ),
    );
    expect(problems).to.eql([]);
  });

  it("links only to files and headings that exist", () => {
    const problems = DOCS.flatMap((f) =>
      brokenLinks(f, readFileSync(join(ROOT, f), "utf8")).map((p) => `${f}: ${p}`),
    );
    expect(problems).to.eql([]);
  });

  it("reports a missing script, an unknown subcommand and a missing file, and a type error", () => {
    expect(checkShellLine("npm run no-such-script -- --once", facts)).to.eql([
      "npm run no-such-script: package.json has no such script",
    ]);
    expect(checkShellLine("npx tsx cli/avalo.ts deploy --stack us-east", facts)).to.eql([
      "avalo deploy: cli/avalo.ts dispatches no such subcommand",
    ]);
    expect(checkShellLine("FOO=1 npx mocha test/nowhere/*.test.ts  # comment", facts)).to.eql([
      "test/nowhere/*.test.ts: no such file",
    ]);
    expect(checkShellLine("npm start -- --once && npx tsx cli/avalo.ts cost", facts)).to.eql([]);
    expect(
      missingInlinePaths("see `runtime/nowhere.ts` and `out/plan/x.json`", repoPathExists),
    ).to.eql(["runtime/nowhere.ts"]);
    expect(headingAnchor("Client edge: App Check, uploads, CORS")).to.equal(
      "client-edge-app-check-uploads-cors",
    );
    expect(brokenLinks("docs/x.md", "[a](deploy.md#gradual-rollout) [b](deploy.md#nope)")).to.eql([
      "deploy.md#nope: no heading #nope in docs/deploy.md",
    ]);
    const bad = codeBlocks("x.md", '```ts\nexport const n: number = "one";\n```\n');
    const diagnostics = compileBlocks(bad);
    expect(diagnostics).to.have.length(1);
    expect(diagnostics[0]).to.match(/^x\.md:2: Type 'string' is not assignable to type 'number'/);
  });
});
