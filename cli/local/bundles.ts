import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
  const bundles = zips.map((zip) =>
    extract(zip, join(rootDir, "out", "local", "bundles", zip.service)),
  );
  return { bundles, rebuilt, millis: Date.now() - started };
}

function extract(zip: BundleResult, dir: string): LocalBundle {
  const marker = join(dir, MARKER);
  const entry = join(dir, "index.js");
  const fresh =
    existsSync(entry) && existsSync(marker) && readFileSync(marker, "utf8") === zip.sha256;
  if (!fresh) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const result = spawnSync("unzip", ["-q", "-o", zip.zipPath, "-d", dir], { encoding: "utf8" });
    if (result.error || result.status !== 0) {
      throw new Error(
        `cannot extract ${zip.zipPath} for ${zip.service}: ${result.error?.message ?? result.stderr}; ` +
          "the local platform needs the unzip binary (apt-get install unzip)",
      );
    }
    writeFileSync(marker, zip.sha256);
  }
  return { service: zip.service, dir, entry, sha256: zip.sha256 };
}
