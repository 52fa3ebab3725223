import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect } from "chai";
import ts from "typescript";

/**
 * The direction of imports inside runtime/, read from the import graph (the TypeScript compiler's
 * own reading of each file's import and export specifiers, relative ones resolved to files):
 * - the bottom layer (the catalogs, the topology, the schemas) reaches nothing in
 *   runtime/services/ or runtime/handlers/, directly or through another module;
 * - a handler reaches no service's internals: of runtime/services/ only the typed clients;
 * - nothing in runtime/ imports Pulumi, the components, the stacks or the CLI.
 */

const REPO = resolve(__dirname, "../..");
const RUNTIME = join(REPO, "runtime");

/** Repository-relative path of a file. */
const rel = (file: string) => relative(REPO, file).split("\\").join("/");

/** The file a relative specifier names (`x.ts` or `x/index.ts`), if any. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, "index.ts"), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The specifiers a file imports or re-exports from, type-only ones included. */
function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** Files a file imports: relative ones resolved, package ones as their specifier. */
function importsOf(file: string): { readonly files: string[]; readonly packages: string[] } {
  const files: string[] = [];
  const packages: string[] = [];
  for (const specifier of importSpecifiers(readFileSync(file, "utf8"))) {
    if (!specifier.startsWith(".")) {
      packages.push(specifier);
      continue;
    }
    const target = resolveSpecifier(file, specifier);
    if (!target) throw new Error(`${rel(file)}: cannot resolve "${specifier}"`);
    files.push(target);
  }
  return { files, packages };
}

/** Every file reachable from `roots` through relative imports, with the path that reached it. */
function reachable(roots: readonly string[]): Map<string, string[]> {
  const via = new Map<string, string[]>(roots.map((r) => [r, [rel(r)]]));
  const queue = [...roots];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const next of importsOf(file).files) {
      if (via.has(next)) continue;
      via.set(next, [...via.get(file)!, rel(next)]);
      queue.push(next);
    }
  }
  return via;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? tsFiles(join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [join(dir, e.name)]
        : [],
  );
}

/** The import chains from `roots` that reach a file `forbidden` accepts. */
function violations(roots: readonly string[], forbidden: (path: string) => boolean): string[] {
  return [...reachable(roots)]
    .filter(([file]) => forbidden(rel(file)))
    .map(([, chain]) => chain.join(" -> "));
}

describe("runtime: the direction of imports", () => {
  it("reads import, export and type-only specifiers from a source", () => {
    expect(
      importSpecifiers(
        [
          'import { a } from "./a";',
          'import type { B } from "../b";',
          'export { c } from "./c";',
          'export type { D } from "./d";',
          'const e = await import("./e");',
        ].join("\n"),
      ),
    ).to.deep.equal(["./a", "../b", "./c", "./d", "./e"]);
  });

  it("keeps the catalogs, the topology and the schemas below the services and the handlers", () => {
    const bottom = [
      ...tsFiles(join(RUNTIME, "catalog")),
      join(RUNTIME, "topology.ts"),
      ...tsFiles(join(RUNTIME, "schemas")),
    ];
    expect(bottom.length).to.be.greaterThan(5);
    expect(violations(bottom, (p) => /^runtime\/(services|handlers)\//.test(p))).to.deep.equal([]);
  });

  it("lets handlers reach services only through their typed clients", () => {
    const handlers = tsFiles(join(RUNTIME, "handlers"));
    expect(handlers.length).to.be.greaterThan(5);
    expect(
      violations(
        handlers,
        (p) => p.startsWith("runtime/services/") && !p.startsWith("runtime/services/clients/"),
      ),
    ).to.deep.equal([]);
  });

  it("imports neither Pulumi nor the components, stacks or CLI anywhere in runtime/", () => {
    const offenders = tsFiles(RUNTIME).flatMap((file) => {
      const { files, packages } = importsOf(file);
      return [
        ...packages.filter((p) => p.startsWith("@pulumi/")),
        ...files.map(rel).filter((p) => !p.startsWith("runtime/")),
      ].map((target) => `${rel(file)} -> ${target}`);
    });
    expect(offenders).to.deep.equal([]);
  });

  it("reports the chain that reaches a forbidden module", () => {
    expect(
      violations(
        [join(RUNTIME, "handlers", "fraud-check.ts")],
        (p) => p === "runtime/fraud/rules.ts",
      ),
    ).to.deep.equal(["runtime/handlers/fraud-check.ts -> runtime/fraud/rules.ts"]);
  });
});
