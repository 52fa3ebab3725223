import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract as tarExtract } from "tar-stream";
import { buildBundles, freshBundles, type Bundle } from "../../build/bundles";

/**
 * The service bundles the local platform runs: the same archives `pulumi up` uploads
 * (`out/bundles/<service>.tar.gz`, built or reused by content), each extracted once per content
 * hash into an emptied `out/local/bundles/<service>/`, where it starts as Cloud Run starts it.
 */

/** One runnable bundle. */
export interface LocalBundle {
  readonly service: string;
  /** Directory the archive was extracted into: the container's working directory. */
  readonly dir: string;
  readonly sha256: string;
}

const MARKER = ".sha256";

/** The runnable bundles, and whether esbuild had to rebuild the archives. */
export interface PreparedBundles {
  readonly bundles: LocalBundle[];
  readonly rebuilt: boolean;
  readonly millis: number;
}

/**
 * Builds (or reuses) every archive, or takes the given ones (a plan's), and extracts the ones
 * whose content changed.
 */
export async function prepareBundles(
  rootDir: string,
  given?: readonly Bundle[],
): Promise<PreparedBundles> {
  const started = Date.now();
  const rebuilt = !given && freshBundles({ rootDir }) === undefined;
  const archives = given ?? (await buildBundles({ rootDir }));
  const bundles = await Promise.all(
    archives.map((a) => extractBundle(a, join(rootDir, "out", "local", "bundles", a.service))),
  );
  return { bundles, rebuilt, millis: Date.now() - started };
}

/**
 * Extracts `bundle` into `dir`, emptied first, unless `dir` already holds exactly that archive
 * (by its hash). The hash marker is written last, so an interrupted extraction is redone.
 */
async function extractBundle(bundle: Bundle, dir: string): Promise<LocalBundle> {
  const marker = join(dir, MARKER);
  const fresh = existsSync(marker) && readFileSync(marker, "utf8") === bundle.sha256;
  if (!fresh) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      await extractArchive(bundle.archivePath, dir);
    } catch (err) {
      throw new Error(`cannot extract ${bundle.archivePath} for ${bundle.service}: ${String(err)}`);
    }
    writeFileSync(marker, bundle.sha256);
  }
  return { service: bundle.service, dir, sha256: bundle.sha256 };
}

/** Extracts every file of a `.tar.gz` below `dir`, refusing entries that would land outside it. */
export async function extractArchive(archivePath: string, dir: string): Promise<void> {
  const root = resolve(dir);
  const entries = tarExtract();
  const consume = (async () => {
    for await (const entry of entries) {
      const target = resolve(root, entry.header.name);
      if (!target.startsWith(root + sep))
        throw new Error(`entry ${entry.header.name} leaves ${dir}`);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if (entry.header.type === "directory") {
        mkdirSync(target, { recursive: true });
      } else if (entry.header.type === "file") {
        mkdirSync(dirname(target), { recursive: true });
        await writeFile(target, Buffer.concat(chunks), { mode: entry.header.mode });
      } else {
        throw new Error(`entry ${entry.header.name} is a ${entry.header.type}, not a file`);
      }
    }
  })();
  await Promise.all([pipeline(createReadStream(archivePath), createGunzip(), entries), consume]);
}
