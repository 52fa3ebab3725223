import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import * as yauzl from "yauzl";
import { buildBundles, freshBundles, type BundleResult } from "../../components/bundling";

/**
 * The service bundles the local platform runs: the same zips `pulumi up` uploads
 * (`out/bundles/<service>.zip`, built or reused by content), each extracted once per content
 * hash into `out/local/bundles/<service>/` so that it runs with `node index.js`.
 */

/** One runnable bundle. */
export interface LocalBundle {
  readonly service: string;
  /** Directory holding the extracted `index.js`. */
  readonly dir: string;
  readonly entry: string;
  readonly sha256: string;
}

const MARKER = ".sha256";

/** The runnable bundles, and whether esbuild had to rebuild the zips. */
export interface PreparedBundles {
  readonly bundles: LocalBundle[];
  readonly rebuilt: boolean;
  readonly millis: number;
}

/** Builds (or reuses) every zip and extracts the ones whose content changed. */
export async function prepareBundles(rootDir: string): Promise<PreparedBundles> {
  const started = Date.now();
  const rebuilt = freshBundles({ rootDir }) === undefined;
  const zips = await buildBundles({ rootDir });
  const bundles = await Promise.all(
    zips.map((zip) => extract(zip, join(rootDir, "out", "local", "bundles", zip.service))),
  );
  return { bundles, rebuilt, millis: Date.now() - started };
}

async function extract(zip: BundleResult, dir: string): Promise<LocalBundle> {
  const marker = join(dir, MARKER);
  const entry = join(dir, "index.js");
  const fresh =
    existsSync(entry) && existsSync(marker) && readFileSync(marker, "utf8") === zip.sha256;
  if (!fresh) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      await unzip(zip.zipPath, dir);
    } catch (err) {
      throw new Error(`cannot extract ${zip.zipPath} for ${zip.service}: ${String(err)}`);
    }
    writeFileSync(marker, zip.sha256);
  }
  return { service: zip.service, dir, entry, sha256: zip.sha256 };
}

/** Extracts every file of a zip below `dir`, refusing entries that would land outside it. */
async function unzip(zipPath: string, dir: string): Promise<void> {
  const root = resolve(dir);
  const archive = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false });
  try {
    for await (const entry of archive.eachEntry()) {
      const target = resolve(root, entry.fileName);
      if (!target.startsWith(root + sep)) throw new Error(`entry ${entry.fileName} leaves ${dir}`);
      if (entry.fileName.endsWith("/")) {
        mkdirSync(target, { recursive: true });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      await pipeline(await archive.openReadStreamPromise(entry), createWriteStream(target));
    }
  } finally {
    archive.close();
  }
}
