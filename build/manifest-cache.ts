import { createHash } from "node:crypto";
import { existsSync, promises as fs, readFileSync, statSync } from "node:fs";

/**
 * The hash-manifest cache both builds use (service archives and the compiled preview worker): a
 * build records every input file it read with its size, mtime and content hash, and its output
 * is reused while every input is unchanged.
 */

/** One input file of a build as its manifest records it. */
export interface InputRecord {
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Hex sha256 of `data`. */
export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The record of the file at `path` as it is now. */
export function recordInput(path: string): InputRecord {
  const bytes = readFileSync(path);
  return { sha256: sha256(bytes), size: bytes.length, mtimeMs: statSync(path).mtimeMs };
}

/**
 * Whether the file at `path` still matches its record. Cheap and synchronous: compared by size
 * and mtime first, hashed only if the mtime moved.
 */
function inputUnchanged(path: string, recorded: InputRecord): boolean {
  if (!existsSync(path)) return false;
  const stat = statSync(path);
  if (stat.size !== recorded.size) return false;
  if (stat.mtimeMs === recorded.mtimeMs) return true;
  return sha256(readFileSync(path)) === recorded.sha256;
}

/** Whether every recorded input is unchanged; `pathOf` turns a manifest key into a file path. */
export function inputsUnchanged(
  inputs: Readonly<Record<string, InputRecord>>,
  pathOf: (file: string) => string,
): boolean {
  return Object.entries(inputs).every(([file, recorded]) => inputUnchanged(pathOf(file), recorded));
}

/**
 * Writes `data` to a temporary file beside `path` and renames it into place. The rename is
 * atomic, so concurrent builds (one per preview worker) never expose a partial file.
 */
export async function writeFileAtomically(path: string, data: string | Buffer): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await fs.writeFile(temp, data);
  await fs.rename(temp, path);
}
