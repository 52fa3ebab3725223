import { createHash } from "node:crypto";
import { existsSync, promises as fs, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import * as esbuild from "esbuild";
import { ZipFile } from "yazl";
import { SERVICES } from "../runtime/services/catalog";

/**
 * Build tooling for the service bundles (no Pulumi): one esbuild pass over every service entry
 * point `runtime/services/<name>/index.ts`, then one deterministic zip per service. The zips are
 * cached by content: while no input file of the last build changed, they are reused as they are.
 */

/** Options of {@link buildBundles}. */
export interface BuildBundlesOptions {
  /** Repository root holding `runtime/services/` and `node_modules/`. @default the repo root */
  readonly rootDir?: string;
  /** Where zips and the manifest go. @default `<rootDir>/out/bundles` */
  readonly outDir?: string;
  /** Services to bundle. @default every service of the service table */
  readonly services?: readonly string[];
  /** Rebuild even if the cache is fresh. @default false */
  readonly force?: boolean;
}

/** One deterministic zip: its name, where it is and its content hash. */
export interface ZipBundle {
  /** Name of the bundle: a service of the table, or a job (`load-generator`). */
  readonly service: string;
  /** Absolute path of the zip. */
  readonly zipPath: string;
  /** Hex sha256 of the zip's bytes. */
  readonly sha256: string;
  readonly bytes: number;
}

/** One service's zip. */
export interface BundleResult extends ZipBundle {
  /** Functions Framework target exported by the entry point. */
  readonly functionTarget: string;
}

/** Options of {@link buildScriptBundle}. */
export interface ScriptBundleOptions {
  /** Name of the bundle (and of its object in the bundle bucket), e.g. `load-generator`. */
  readonly name: string;
  /** Entry point relative to the root, e.g. `runtime/load/job.ts`; run as `node index.js`. */
  readonly entry: string;
  /** Repository root. @default the repo root */
  readonly rootDir?: string;
  /** Where the zip and its manifest go. @default `<rootDir>/out/bundles/<name>` */
  readonly outDir?: string;
  /** Rebuild even if the cache is fresh. @default false */
  readonly force?: boolean;
}

/** The exported HTTP function of every service entry point. */
export const FUNCTION_TARGET = "handler";

/** Bump when the build recipe changes, so that cached zips from an older recipe are rebuilt. */
const RECIPE_VERSION = 1;

/** DOS timestamps cannot go below 1980; local time, as the zip format stores it. */
const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;

/** sharp's native parts for Cloud Run's linux-x64, shipped beside the bundle. */
const SHARP_NATIVE_PACKAGES = ["@img/sharp-linux-x64", "@img/sharp-libvips-linux-x64"];

const DEFAULT_ROOT = join(__dirname, "..");

interface InputRecord {
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
}

interface Manifest<T extends ZipBundle> {
  readonly recipe: string;
  /** Every input file of the build, relative to the root, with its content hash. */
  readonly inputs: Readonly<Record<string, InputRecord>>;
  /** Results with zip paths relative to the out dir. */
  readonly bundles: readonly T[];
}

/**
 * One entry point to bundle: the zip's name, its source, and how the zip starts it (a Functions
 * Framework `handler` for services, `node index.js` for scripts such as jobs).
 */
interface EntrySpec {
  readonly name: string;
  readonly entry: string;
  readonly kind: "function" | "script";
}

/** Entry point of a service, relative to the root. */
export function entryPointOf(service: string): string {
  return join("runtime", "services", service, "index.ts");
}

/**
 * Bundles every service and returns one zip per service, in the order of `services`. Reuses the
 * zips of the last build when none of its input files changed.
 */
export async function buildBundles(options: BuildBundlesOptions = {}): Promise<BundleResult[]> {
  const rootDir = options.rootDir ?? DEFAULT_ROOT;
  const outDir = options.outDir ?? join(rootDir, "out", "bundles");
  const services = options.services ?? SERVICES.map((s) => s.name);
  checkEntryPoints(rootDir, services);
  const recipe = recipeOf(services);
  if (!options.force) {
    const cached = cachedBundles<BundleResult>(rootDir, outDir, recipe);
    if (cached) return cached;
  }
  const entries = services.map((s): EntrySpec => ({
    name: s,
    entry: entryPointOf(s),
    kind: "function",
  }));
  const zips = await build(rootDir, outDir, entries);
  const bundles = zips.map((z) => ({ ...z, functionTarget: FUNCTION_TARGET }));
  await writeManifest(rootDir, outDir, recipe, zips.inputs, bundles);
  return bundles;
}

/**
 * Bundles one script entry point (no Functions Framework: the zip's start is `node index.js`)
 * the same way as the services: one esbuild pass, a deterministic zip, reused while no input
 * changed. The entry path is data, so the bundle does not depend on what the script does.
 */
export async function buildScriptBundle(options: ScriptBundleOptions): Promise<ZipBundle> {
  const rootDir = options.rootDir ?? DEFAULT_ROOT;
  const outDir = options.outDir ?? join(rootDir, "out", "bundles", options.name);
  if (!existsSync(join(rootDir, options.entry))) {
    throw new Error(
      `cannot bundle ${options.name}: its entry point ${options.entry} is missing under ${rootDir}`,
    );
  }
  const recipe = scriptRecipeOf(options);
  if (!options.force) {
    const cached = cachedBundles<ZipBundle>(rootDir, outDir, recipe);
    if (cached) return cached[0];
  }
  const zips = await build(rootDir, outDir, [
    { name: options.name, entry: options.entry, kind: "script" },
  ]);
  await writeManifest(rootDir, outDir, recipe, zips.inputs, zips);
  return zips[0];
}

/** The script bundle of the last build if it is still fresh for `options`, else undefined. */
export function freshScriptBundle(options: ScriptBundleOptions): ZipBundle | undefined {
  const rootDir = options.rootDir ?? DEFAULT_ROOT;
  const outDir = options.outDir ?? join(rootDir, "out", "bundles", options.name);
  return cachedBundles<ZipBundle>(rootDir, outDir, scriptRecipeOf(options))?.[0];
}

/**
 * The bundles of the last build if they are still fresh for `options`, else undefined. Cheap
 * and synchronous: input files are compared by size and mtime first, hashed only if those moved.
 */
export function freshBundles(options: BuildBundlesOptions = {}): BundleResult[] | undefined {
  const rootDir = options.rootDir ?? DEFAULT_ROOT;
  const outDir = options.outDir ?? join(rootDir, "out", "bundles");
  const services = options.services ?? SERVICES.map((s) => s.name);
  return cachedBundles<BundleResult>(rootDir, outDir, recipeOf(services));
}

function checkEntryPoints(rootDir: string, services: readonly string[]): void {
  const missing = services
    .map((s) => entryPointOf(s))
    .filter((entry) => !existsSync(join(rootDir, entry)));
  if (missing.length > 0) {
    throw new Error(
      `cannot bundle the services: ${missing.length} entry point(s) missing: ${missing.join(", ")}; ` +
        "each service needs runtime/services/<name>/index.ts exporting `handler`",
    );
  }
}

function recipeOf(services: readonly string[]): string {
  return sha256(
    JSON.stringify({ RECIPE_VERSION, esbuild: esbuild.version, services, target: FUNCTION_TARGET }),
  );
}

function scriptRecipeOf(options: ScriptBundleOptions): string {
  const { name, entry } = options;
  return sha256(
    JSON.stringify({ RECIPE_VERSION, esbuild: esbuild.version, script: { name, entry } }),
  );
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function cachedBundles<T extends ZipBundle>(
  rootDir: string,
  outDir: string,
  recipe: string,
): T[] | undefined {
  const manifestPath = join(outDir, "manifest.json");
  if (!existsSync(manifestPath)) return undefined;
  let manifest: Manifest<T>;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest<T>;
  } catch {
    return undefined;
  }
  if (manifest.recipe !== recipe) return undefined;
  for (const [file, recorded] of Object.entries(manifest.inputs)) {
    if (!inputUnchanged(join(rootDir, file), recorded)) return undefined;
  }
  const bundles = manifest.bundles.map((b) => ({ ...b, zipPath: join(outDir, b.zipPath) }));
  for (const b of bundles) {
    if (!existsSync(b.zipPath) || statSync(b.zipPath).size !== b.bytes) return undefined;
  }
  return bundles;
}

function inputUnchanged(path: string, recorded: InputRecord): boolean {
  if (!existsSync(path)) return false;
  const stat = statSync(path);
  if (stat.size !== recorded.size) return false;
  if (stat.mtimeMs === recorded.mtimeMs) return true;
  return sha256(readFileSync(path)) === recorded.sha256;
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

/** Zips of one esbuild pass, with the input files the pass read. */
type Built = ZipBundle[] & { readonly inputs: readonly string[] };

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
    target: "node20",
    format: "cjs",
    write: false,
    metafile: true,
    logLevel: "silent",
    legalComments: "none",
    // Native addons resolve at run time from the zip's node_modules.
    external: ["@img/sharp-*"],
    define: { "import.meta.url": "__importMetaUrl" },
    banner: { js: 'var __importMetaUrl = require("url").pathToFileURL(__filename).href;' },
    plugins: [pdfkitFonts],
  });
  const outputs = result.metafile.outputs;
  await fs.mkdir(outDir, { recursive: true });
  const bundles: ZipBundle[] = [];
  for (const { name: service, kind } of entries) {
    const file = result.outputFiles.find((f) => f.path === join(outDir, "build", `${service}.js`));
    if (!file) throw new Error(`esbuild produced no output for ${service}`);
    const meta = outputs[relative(rootDir, file.path).split(sep).join("/")];
    const usesSharp = Object.keys(meta?.inputs ?? {}).some((i) =>
      i.includes("node_modules/sharp/"),
    );
    const entries = new Map<string, Buffer>([
      ["index.js", Buffer.from(file.contents)],
      ["package.json", Buffer.from(packageJson(service, kind, rootDir, usesSharp))],
    ]);
    if (usesSharp) {
      for (const pkg of SHARP_NATIVE_PACKAGES) {
        await addTree(entries, packageDir(rootDir, pkg), `node_modules/${pkg}`);
      }
    }
    const zipPath = join(outDir, `${service}.zip`);
    const bytes = await writeZip(entries, zipPath);
    bundles.push({ service, zipPath, sha256: sha256(bytes), bytes: bytes.length });
  }
  return Object.assign(bundles, { inputs: Object.keys(result.metafile.inputs) });
}

/**
 * The zip's package.json: the start (Functions Framework for services, `node index.js` for
 * scripts) and the packages it needs at run time.
 */
function packageJson(
  service: string,
  kind: EntrySpec["kind"],
  rootDir: string,
  usesSharp: boolean,
): string {
  const version = (pkg: string) =>
    (
      JSON.parse(readFileSync(join(packageDir(rootDir, pkg), "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
  const dependencies: Record<string, string> =
    kind === "function"
      ? { "@google-cloud/functions-framework": version("@google-cloud/functions-framework") }
      : {};
  if (usesSharp) for (const pkg of SHARP_NATIVE_PACKAGES) dependencies[pkg] = version(pkg);
  return `${JSON.stringify(
    {
      name: `avalo-${service}`,
      version: "1.0.0",
      private: true,
      main: "index.js",
      engines: { node: ">=20" },
      scripts: {
        start:
          kind === "function" ? `functions-framework --target=${FUNCTION_TARGET}` : "node index.js",
      },
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

/** Writes a zip with sorted entries, a fixed mtime and fixed modes; returns its bytes. */
async function writeZip(entries: ReadonlyMap<string, Buffer>, zipPath: string): Promise<Buffer> {
  const zip = new ZipFile();
  for (const name of [...entries.keys()].sort()) {
    zip.addBuffer(entries.get(name) as Buffer, name, {
      mtime: ZIP_MTIME,
      mode: FILE_MODE,
      compress: true,
      forceDosTimestamp: true,
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const temp = `${zipPath}.${process.pid}.tmp`;
  await fs.writeFile(temp, bytes);
  // Rename is atomic, so concurrent builds (one per stack worker) never expose a partial zip.
  await fs.rename(temp, zipPath);
  return bytes;
}

async function writeManifest<T extends ZipBundle>(
  rootDir: string,
  outDir: string,
  recipe: string,
  inputs: readonly string[],
  bundles: readonly T[],
): Promise<void> {
  const records: Record<string, InputRecord> = {};
  for (const file of [...inputs].sort()) {
    const path = join(rootDir, file);
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    records[file] = { sha256: sha256(readFileSync(path)), size: stat.size, mtimeMs: stat.mtimeMs };
  }
  const manifest: Manifest<T> = {
    recipe,
    inputs: records,
    bundles: bundles.map((b) => ({ ...b, zipPath: relative(outDir, b.zipPath) })),
  };
  const path = join(outDir, "manifest.json");
  const temp = `${path}.${process.pid}.tmp`;
  await fs.mkdir(dirname(path), { recursive: true });
  await fs.writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  await fs.rename(temp, path);
}

/**
 * A dependency-free Node.js program, run as `node -e ZIP_LAUNCHER <zip>`, that starts a script
 * bundle straight from its zip: it extracts the entries (stored or deflated, as `writeZip` writes
 * them) below `<tmpdir>/<zip name>`, then runs `index.js` as the main module (`require.main`).
 * Cloud Run jobs have no source-build path (services have `buildConfig`), so a job runs a stock
 * Node.js image with the bundle bucket mounted, and this launcher runs the uploaded zip as is.
 */
export const ZIP_LAUNCHER = `const fs = require("fs"), path = require("path"), os = require("os"), zlib = require("zlib");
const zip = process.argv[1];
const b = fs.readFileSync(zip);
const dir = path.join(os.tmpdir(), path.basename(zip, ".zip"));
const end = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
if (end < 0) throw new Error(zip + " is not a zip");
let at = b.readUInt32LE(end + 16);
for (let left = b.readUInt16LE(end + 10); left > 0; left--) {
  const method = b.readUInt16LE(at + 10), size = b.readUInt32LE(at + 20), local = b.readUInt32LE(at + 42);
  const nameEnd = at + 46 + b.readUInt16LE(at + 28);
  const name = b.toString("utf8", at + 46, nameEnd);
  at = nameEnd + b.readUInt16LE(at + 30) + b.readUInt16LE(at + 32);
  const target = path.resolve(dir, name);
  if (!target.startsWith(dir + path.sep)) throw new Error("zip entry " + name + " leaves " + dir);
  if (name.endsWith("/")) continue;
  if (method !== 0 && method !== 8) throw new Error("zip entry " + name + " uses method " + method);
  const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
  const data = b.subarray(start, start + size);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, method === 8 ? zlib.inflateRawSync(data) : data);
}
process.argv[1] = path.join(dir, "index.js");
require("module").runMain();
`;
