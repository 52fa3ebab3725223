import { existsSync, promises as fs, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import * as esbuild from "esbuild";
import { SERVICE_CONTAINER } from "../runtime/services/container";
import { SERVICES } from "../runtime/catalog/services";
import { writeArchive } from "./archive";
import {
  inputsUnchanged,
  recordInput,
  sha256,
  writeFileAtomically,
  type InputRecord,
} from "./manifest-cache";

/**
 * Build tooling for the service bundles (no Pulumi): one esbuild pass over every service entry
 * point `runtime/services/<name>/index.ts`, then one deterministic `.tar.gz` per service (the
 * archive format Cloud Run's no-build source deploy takes). The archives are cached by content:
 * while no input file of the last build changed, they are reused as they are.
 */

/** Options of {@link buildBundles}. */
export interface BuildBundlesOptions {
  /** Repository root holding `runtime/services/` and `node_modules/`. @default the repo root */
  readonly rootDir?: string;
  /** Where archives and the manifest go. @default `<rootDir>/out/bundles` */
  readonly outDir?: string;
  /** Services to bundle. @default every service of the service table */
  readonly services?: readonly string[];
  /** Rebuild even if the cache is fresh. @default false */
  readonly force?: boolean;
}

/**
 * One deterministic archive (`.tar.gz`): its name, where it is and its content hash. At its root
 * it holds `index.js` (started as `node index.js`, see `SERVICE_CONTAINER`), its `package.json`
 * and, where the code uses sharp, sharp's native packages under `node_modules/`.
 */
export interface Bundle {
  /** Name of the bundle: a service of the table, or a job (`load-generator`). */
  readonly service: string;
  /** Absolute path of the archive. */
  readonly archivePath: string;
  /** Hex sha256 of the archive's bytes. */
  readonly sha256: string;
  readonly bytes: number;
}

/** Options of {@link buildScriptBundle}. */
export interface ScriptBundleOptions {
  /** Name of the bundle (and of its object in the bundle bucket), e.g. `load-generator`. */
  readonly name: string;
  /** Entry point relative to the root, e.g. `runtime/load/job.ts`; run as `node index.js`. */
  readonly entry: string;
  /** Repository root. @default the repo root */
  readonly rootDir?: string;
  /** Where the archive and its manifest go. @default `<rootDir>/out/bundles/<name>` */
  readonly outDir?: string;
  /** Rebuild even if the cache is fresh. @default false */
  readonly force?: boolean;
}

/** Bump when the build recipe changes, so that cached archives from an older recipe are rebuilt. */
const RECIPE_VERSION = 2;

/**
 * Node.js majors the bundles must run on: 24 is what Cloud Run runs (`SERVICE_CONTAINER`), 20 is
 * what CI and the local platform run the same archives on; esbuild lowers syntax for both.
 */
const ESBUILD_TARGETS = ["node20", `node${SERVICE_CONTAINER.nodeMajor}`];

/** sharp's native parts for Cloud Run's linux-x64, shipped beside the bundle. */
const SHARP_NATIVE_PACKAGES = ["@img/sharp-linux-x64", "@img/sharp-libvips-linux-x64"];

const DEFAULT_ROOT = join(__dirname, "..");

interface Manifest {
  readonly recipe: string;
  /** Every input file of the build, relative to the root, with its content hash. */
  readonly inputs: Readonly<Record<string, InputRecord>>;
  /** Results with archive paths relative to the out dir. */
  readonly bundles: readonly Bundle[];
}

/** One entry point to bundle: the archive's name and its source. */
interface EntrySpec {
  readonly name: string;
  readonly entry: string;
}

function serviceEntryPoint(service: string): string {
  return join("runtime", "services", service, "index.ts");
}

/**
 * Bundles every service and returns one archive per service, in the order of `services`. Reuses
 * the archives of the last build when none of its input files changed.
 */
export async function buildBundles(options: BuildBundlesOptions = {}): Promise<Bundle[]> {
  const rootDir = options.rootDir ?? DEFAULT_ROOT;
  const outDir = options.outDir ?? join(rootDir, "out", "bundles");
  const services = options.services ?? SERVICES.map((s) => s.name);
  checkEntryPoints(rootDir, services);
  const recipe = recipeOf(services);
  if (!options.force) {
    const cached = cachedBundles(rootDir, outDir, recipe);
    if (cached) return cached;
  }
  const entries = services.map((s): EntrySpec => ({ name: s, entry: serviceEntryPoint(s) }));
  const built = await build(rootDir, outDir, entries);
  await writeManifest(rootDir, outDir, recipe, built.inputs, built);
  return built;
}

/**
 * Bundles one script entry point (a job's) the same way as the services: one esbuild pass, a
 * deterministic archive started with `node index.js`, reused while no input changed. The entry
 * path is data, so the bundle does not depend on what the script does.
 */
export async function buildScriptBundle(options: ScriptBundleOptions): Promise<Bundle> {
  const rootDir = options.rootDir ?? DEFAULT_ROOT;
  const outDir = options.outDir ?? join(rootDir, "out", "bundles", options.name);
  if (!existsSync(join(rootDir, options.entry))) {
    throw new Error(
      `cannot bundle ${options.name}: its entry point ${options.entry} is missing under ${rootDir}`,
    );
  }
  const recipe = scriptRecipeOf(options);
  if (!options.force) {
    const cached = cachedBundles(rootDir, outDir, recipe);
    if (cached) return cached[0];
  }
  const built = await build(rootDir, outDir, [{ name: options.name, entry: options.entry }]);
  await writeManifest(rootDir, outDir, recipe, built.inputs, built);
  return built[0];
}

/** The script bundle of the last build if it is still fresh for `options`, else undefined. */
export function freshScriptBundle(options: ScriptBundleOptions): Bundle | undefined {
  const rootDir = options.rootDir ?? DEFAULT_ROOT;
  const outDir = options.outDir ?? join(rootDir, "out", "bundles", options.name);
  return cachedBundles(rootDir, outDir, scriptRecipeOf(options))?.[0];
}

/**
 * The bundles of the last build if they are still fresh for `options`, else undefined. Cheap
 * and synchronous: input files are compared by size and mtime first, hashed only if those moved.
 */
export function freshBundles(options: BuildBundlesOptions = {}): Bundle[] | undefined {
  const rootDir = options.rootDir ?? DEFAULT_ROOT;
  const outDir = options.outDir ?? join(rootDir, "out", "bundles");
  const services = options.services ?? SERVICES.map((s) => s.name);
  return cachedBundles(rootDir, outDir, recipeOf(services));
}

function checkEntryPoints(rootDir: string, services: readonly string[]): void {
  const missing = services
    .map((s) => serviceEntryPoint(s))
    .filter((entry) => !existsSync(join(rootDir, entry)));
  if (missing.length > 0) {
    throw new Error(
      `cannot bundle the services: ${missing.length} entry point(s) missing: ${missing.join(", ")}; ` +
        "each service needs runtime/services/<name>/index.ts, which starts it when run with node",
    );
  }
}

function recipeOf(services: readonly string[]): string {
  return sha256(
    JSON.stringify({ RECIPE_VERSION, esbuild: esbuild.version, services, ESBUILD_TARGETS }),
  );
}

function scriptRecipeOf(options: ScriptBundleOptions): string {
  const { name, entry } = options;
  return sha256(
    JSON.stringify({
      RECIPE_VERSION,
      esbuild: esbuild.version,
      script: { name, entry },
      ESBUILD_TARGETS,
    }),
  );
}

function cachedBundles(rootDir: string, outDir: string, recipe: string): Bundle[] | undefined {
  const manifestPath = join(outDir, "manifest.json");
  if (!existsSync(manifestPath)) return undefined;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.recipe !== recipe) return undefined;
  if (!inputsUnchanged(manifest.inputs, (file) => join(rootDir, file))) return undefined;
  const bundles = manifest.bundles.map((b) => ({
    ...b,
    archivePath: join(outDir, b.archivePath),
  }));
  for (const b of bundles) {
    if (!existsSync(b.archivePath) || statSync(b.archivePath).size !== b.bytes) return undefined;
  }
  return bundles;
}

/** esbuild cannot follow pdfkit's `#standard-fonts/...` imports (they go through createRequire). */
const pdfkitFonts: esbuild.Plugin = {
  name: "pdfkit-standard-fonts",
  setup(b) {
    b.onLoad({ filter: /[\\/]pdfkit[\\/]js[\\/]pdfkit(\.node)?\.m?js$/ }, async (args) => {
      const source = await fs.readFile(args.path, "utf8");
      const contents = source.replace(
        /require\$1\((['"])#standard-fonts\//g,
        "require($1pdfkit/standard-fonts/",
      );
      return { contents, loader: "js" };
    });
  },
};

/** Archives of one esbuild pass, with the input files the pass read. */
type Built = Bundle[] & { readonly inputs: readonly string[] };

async function build(
  rootDir: string,
  outDir: string,
  entries: readonly EntrySpec[],
): Promise<Built> {
  const result = await esbuild.build({
    absWorkingDir: rootDir,
    entryPoints: entries.map((e) => ({ in: e.entry, out: e.name })),
    outdir: join(outDir, "build"),
    bundle: true,
    platform: "node",
    target: ESBUILD_TARGETS,
    format: "cjs",
    write: false,
    metafile: true,
    logLevel: "silent",
    legalComments: "none",
    // Native addons resolve at run time from the archive's node_modules.
    external: ["@img/sharp-*"],
    define: { "import.meta.url": "__importMetaUrl" },
    banner: { js: 'var __importMetaUrl = require("url").pathToFileURL(__filename).href;' },
    plugins: [pdfkitFonts],
  });
  const outputs = result.metafile.outputs;
  await fs.mkdir(outDir, { recursive: true });
  const bundles: Bundle[] = [];
  for (const { name: service } of entries) {
    const file = result.outputFiles.find((f) => f.path === join(outDir, "build", `${service}.js`));
    if (!file) throw new Error(`esbuild produced no output for ${service}`);
    const meta = outputs[relative(rootDir, file.path).split(sep).join("/")];
    const usesSharp = Object.keys(meta?.inputs ?? {}).some((i) =>
      i.includes("node_modules/sharp/"),
    );
    const entries = new Map<string, Buffer>([
      [SERVICE_CONTAINER.entryFile, Buffer.from(file.contents)],
      ["package.json", Buffer.from(packageJson(service, rootDir, usesSharp))],
    ]);
    if (usesSharp) {
      for (const pkg of SHARP_NATIVE_PACKAGES) {
        await addTree(entries, packageDir(rootDir, pkg), `node_modules/${pkg}`);
      }
    }
    const archivePath = join(outDir, `${service}.tar.gz`);
    const bytes = await writeArchive(entries, archivePath);
    bundles.push({ service, archivePath, sha256: sha256(bytes), bytes: bytes.length });
  }
  return Object.assign(bundles, { inputs: Object.keys(result.metafile.inputs) });
}

/** The archive's package.json: how it starts and the native packages it ships. */
function packageJson(service: string, rootDir: string, usesSharp: boolean): string {
  const version = (pkg: string) =>
    (
      JSON.parse(readFileSync(join(packageDir(rootDir, pkg), "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
  const dependencies: Record<string, string> = {};
  if (usesSharp) for (const pkg of SHARP_NATIVE_PACKAGES) dependencies[pkg] = version(pkg);
  return `${JSON.stringify(
    {
      name: `avalo-${service}`,
      version: "1.0.0",
      private: true,
      main: SERVICE_CONTAINER.entryFile,
      engines: { node: ">=20" },
      scripts: { start: [...SERVICE_CONTAINER.command, ...SERVICE_CONTAINER.args].join(" ") },
      dependencies,
    },
    null,
    2,
  )}\n`;
}

/** Directory of an installed package, found the way Node looks: up from `fromDir`. */
function packageDir(fromDir: string, pkg: string): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", pkg);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) throw new Error(`package ${pkg} is not installed above ${fromDir}`);
  }
}

async function addTree(entries: Map<string, Buffer>, dir: string, prefix: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const name = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) await addTree(entries, path, name);
    else if (entry.isFile()) entries.set(name, await fs.readFile(path));
  }
}

async function writeManifest(
  rootDir: string,
  outDir: string,
  recipe: string,
  inputs: readonly string[],
  bundles: readonly Bundle[],
): Promise<void> {
  const records: Record<string, InputRecord> = {};
  for (const file of [...inputs].sort()) {
    const path = join(rootDir, file);
    if (existsSync(path)) records[file] = recordInput(path);
  }
  const manifest: Manifest = {
    recipe,
    inputs: records,
    bundles: bundles.map((b) => ({ ...b, archivePath: relative(outDir, b.archivePath) })),
  };
  await fs.mkdir(outDir, { recursive: true });
  await writeFileAtomically(
    join(outDir, "manifest.json"),
    `${JSON.stringify(manifest, null, 2)}\n`,
  );
}

/**
 * `path` relative to the working directory when it lies inside it, so that plans naming build
 * outputs do not depend on where the repository is checked out.
 */
export function projectRelativePath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
