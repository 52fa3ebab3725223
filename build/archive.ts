import { readFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { writeFileAtomically } from "./manifest-cache";

/**
 * Deterministic `.tar.gz` archives (the format Cloud Run's no-build source deploy takes): the
 * same files always give the same bytes, so an archive's hash names its content.
 */

/** Fixed metadata of every archive entry, so that the same files give the same bytes. */
const ENTRY_MTIME = new Date(0);
const FILE_MODE = 0o644;

/**
 * Writes a `.tar.gz` with sorted entries, a fixed mtime, fixed modes and no owner names, so that
 * the same files always give the same bytes; returns them.
 */
export async function writeArchive(
  entries: ReadonlyMap<string, Buffer>,
  archivePath: string,
): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    tar.on("end", resolve);
    tar.on("error", reject);
  });
  for (const name of [...entries.keys()].sort()) {
    tar.entry(
      { name, mtime: ENTRY_MTIME, mode: FILE_MODE, uid: 0, gid: 0, uname: "", gname: "" },
      entries.get(name) as Buffer,
    );
  }
  tar.finalize();
  await done;
  // gzip's header carries no name and a zero mtime here, so it adds nothing that varies.
  const bytes = gzipSync(Buffer.concat(chunks), { level: 9 });
  await writeFileAtomically(archivePath, bytes);
  return bytes;
}

/**
 * The file names in a `.tar.gz`, read synchronously from the ustar headers (name and prefix
 * fields, octal size) so that plan checks can look inside an archive without streaming.
 */
export function archiveFileNames(archivePath: string): string[] {
  const tar = gunzipSync(readFileSync(archivePath));
  const names: string[] = [];
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header.toString("utf8", start, start + length).replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const prefix = field(345, 155);
    const type = field(156, 1);
    if (type === "0" || type === "")
      names.push(prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}
