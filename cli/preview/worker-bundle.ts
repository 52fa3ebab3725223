import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The preview worker and the program it runs, compiled once with esbuild into two CommonJS files
 * (our TypeScript bundled, every npm package left to `require`) and cached in
 * `out/preview-worker/<key>/` while none of their source files changed. A worker then starts
 * with plain `node`: no TypeScript transform and no per-file resolution of our sources at run
 * time, which was ~40% of a worker's start-up under tsx.
 */

/** The two compiled files a fast worker runs. */
export interface WorkerBundle {
  /** The worker's entry point (cli/preview/worker-entry.ts). */
  readonly worker: string;
  /** The program, to `require` in place of its TypeScript entry module. */
  readonly program: string;
}

/** Bump when the build recipe changes, so that cached bundles from an older recipe are rebuilt. */
const RECIPE_VERSION = 1;

const WORKER_ENTRY = join(__dirname, "worker-entry.ts");
const DEFAULT_CACHE = join(__dirname, "..", "..", "out", "preview-worker");

interface InputRecord {
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
}

interface Manifest {
  readonly key: string;
  /** Every source file compiled into the bundles (absolute path), with its content hash. */
  readonly inputs: Readonly<Record<string, InputRecord>>;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * The compiled worker and program for `program` (absolute path of its entry module): reused
 * when fresh, else built. Undefined when esbuild cannot compile them; the caller then runs the
 * TypeScript sources, which report the error as they always did.
 */
export async function workerBundle(
  program: string,
  cacheDir: string = DEFAULT_CACHE,
): Promise<WorkerBundle | undefined> {
  const key = bundleKey(program);
  const dir = join(cacheDir, key.slice(0, 16));
  const bundle = { worker: join(dir, "worker.js"), program: join(dir, "program.js") };
  if (isFresh(dir, key, bundle)) return bundle;
  return (await build(dir, key, program)) ? bundle : undefined;
}

function bundleKey(program: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require("esbuild/package.json") as { version: string };
  return sha256(JSON.stringify({ RECIPE_VERSION, esbuild: version, program, WORKER_ENTRY }));
}

/** Cheap and synchronous: inputs are compared by size and mtime first, hashed only if those moved. */
function isFresh(dir: string, key: string, bundle: WorkerBundle): boolean {
  const manifestPath = join(dir, "manifest.json");
  if (!existsSync(manifestPath) || !existsSync(bundle.worker) || !existsSync(bundle.program)) {
    return false;
  }
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  if (manifest.key !== key) return false;
  return Object.entries(manifest.inputs).every(([path, recorded]) => {
    if (!existsSync(path)) return false;
    const stat = statSync(path);
    if (stat.size !== recorded.size) return false;
    return stat.mtimeMs === recorded.mtimeMs || sha256(readFileSync(path)) === recorded.sha256;
  });
}

/** Builds into a scratch directory and moves it into place, so readers never see half a bundle. */
async function build(dir: string, key: string, program: string): Promise<boolean> {
  const esbuild = await import("esbuild");
  const scratch = `${dir}.${process.pid}.tmp`;
  rmSync(scratch, { recursive: true, force: true });
  try {
    const result = await esbuild.build({
      entryPoints: { worker: WORKER_ENTRY, program },
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
      const bytes = readFileSync(path);
      inputs[path] = { sha256: sha256(bytes), size: bytes.length, mtimeMs: statSync(path).mtimeMs };
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
