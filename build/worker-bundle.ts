import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { inputsUnchanged, recordInput, sha256, type InputRecord } from "./manifest-cache";

/**
 * The preview worker and the program it runs, compiled once with esbuild into two CommonJS files
 * (our TypeScript bundled, every npm package left to `require`) and cached in
 * `out/preview-worker/<key>/` while none of their source files changed. A worker then starts
 * with plain `node`: no TypeScript transform and no per-file resolution of our sources at run
 * time, which was ~40% of a worker's start-up under tsx.
 */

/** The two compiled files a fast worker runs. */
export interface WorkerBundle {
  /** The worker's entry point. */
  readonly worker: string;
  /** The program, to `require` in place of its TypeScript entry module. */
  readonly program: string;
}

/** Bump when the build recipe changes, so that cached bundles from an older recipe are rebuilt. */
const RECIPE_VERSION = 1;

const DEFAULT_CACHE = join(__dirname, "..", "out", "preview-worker");

interface Manifest {
  readonly key: string;
  /** Every source file compiled into the bundles (absolute path), with its content hash. */
  readonly inputs: Readonly<Record<string, InputRecord>>;
}

/**
 * The compiled worker (`workerEntry`) and program (`program`), both absolute paths of their
 * TypeScript entry modules: reused when fresh, else built. Undefined when esbuild cannot compile
 * them; the caller then runs the TypeScript sources, which report the error as they always did.
 */
export async function workerBundle(
  workerEntry: string,
  program: string,
  cacheDir: string = DEFAULT_CACHE,
): Promise<WorkerBundle | undefined> {
  const key = bundleKey(workerEntry, program);
  const dir = join(cacheDir, key.slice(0, 16));
  const bundle = { worker: join(dir, "worker.js"), program: join(dir, "program.js") };
  if (isFresh(dir, key, bundle)) return bundle;
  return (await build(dir, key, workerEntry, program)) ? bundle : undefined;
}

function bundleKey(workerEntry: string, program: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require("esbuild/package.json") as { version: string };
  return sha256(
    JSON.stringify({ RECIPE_VERSION, esbuild: version, program, WORKER_ENTRY: workerEntry }),
  );
}

/** Cheap and synchronous: inputs are compared by size and mtime first, hashed only if those moved. */
function isFresh(dir: string, key: string, bundle: WorkerBundle): boolean {
  const manifestPath = join(dir, "manifest.json");
  if (!existsSync(manifestPath) || !existsSync(bundle.worker) || !existsSync(bundle.program)) {
    return false;
  }
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  return manifest.key === key && inputsUnchanged(manifest.inputs, (path) => path);
}

/** Builds into a scratch directory and moves it into place, so readers never see half a bundle. */
async function build(
  dir: string,
  key: string,
  workerEntry: string,
  program: string,
): Promise<boolean> {
  const esbuild = await import("esbuild");
  const scratch = `${dir}.${process.pid}.tmp`;
  rmSync(scratch, { recursive: true, force: true });
  try {
    const result = await esbuild.build({
      entryPoints: { worker: workerEntry, program },
      outdir: scratch,
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      packages: "external",
      metafile: true,
      logLevel: "silent",
      plugins: [sourceLocationPlugin],
    });
    const cwd = process.cwd();
    const inputs: Record<string, InputRecord> = {};
    for (const input of Object.keys(result.metafile.inputs)) {
      const path = resolve(cwd, input);
      inputs[path] = recordInput(path);
    }
    writeFileSync(
      join(scratch, "manifest.json"),
      JSON.stringify({ key, inputs } satisfies Manifest),
    );
    mkdirSync(dirname(dir), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(scratch, dir);
    return true;
  } catch {
    rmSync(scratch, { recursive: true, force: true });
    return false;
  }
}

/**
 * Gives each source file its own `__dirname` and `__filename` (the bundle's would point into
 * out/), so that paths our modules derive from them are those of the TypeScript run.
 */
const sourceLocationPlugin = {
  name: "source-location",
  setup(build: {
    onLoad(
      options: { filter: RegExp },
      callback: (args: { path: string }) => { contents: string; loader: "ts" } | undefined,
    ): void;
  }) {
    build.onLoad({ filter: /\.ts$/ }, ({ path }) => {
      const source = readFileSync(path, "utf8");
      if (!/\b__(dirname|filename)\b/.test(source)) return undefined;
      const prelude =
        `const __dirname = ${JSON.stringify(dirname(path))};` +
        ` const __filename = ${JSON.stringify(path)};`;
      return { contents: `${prelude}\n${source}`, loader: "ts" };
    });
  },
};
