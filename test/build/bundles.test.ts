import { execFileSync } from "node:child_process";
import {
  createReadStream,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { expect } from "chai";
import { type Bundle, buildBundles, freshBundles } from "../../build/bundles";
import { extractArchive } from "../../cli/local/bundles";

interface ArchiveEntry {
  readonly name: string;
  readonly mode: number;
  readonly mtime: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly type: string;
}

/** Reads a `.tar.gz`'s headers in stored order. */
async function archiveEntries(path: string): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  const reader = extract();
  const consume = (async () => {
    for await (const entry of reader) {
      const h = entry.header;
      entries.push({
        name: h.name,
        mode: h.mode ?? -1,
        mtime: h.mtime?.getTime() ?? -1,
        uid: h.uid ?? -1,
        gid: h.gid ?? -1,
        uname: h.uname ?? "",
        type: h.type ?? "",
      });
      entry.resume();
    }
  })();
  await Promise.all([pipeline(createReadStream(path), createGunzip(), reader), consume]);
  return entries;
}

describe("service bundling", function () {
  // One esbuild pass over two services per build; the machine is shared, so allow for load.
  this.timeout(180_000);
  const root = join(__dirname, "..", "..");
  const dirA = join(root, "out", "test-bundles", "a");
  const dirB = join(root, "out", "test-bundles", "b");
  const services = ["pdf-generator", "user-worker"];
  let first: Bundle[];
  let second: Bundle[];

  before(async () => {
    rmSync(join(root, "out", "test-bundles"), { recursive: true, force: true });
    first = await buildBundles({ outDir: dirA, services, force: true });
    second = await buildBundles({ outDir: dirB, services, force: true });
  });

  it("gives byte-identical archives and the same sha256 for the same sources", () => {
    expect(first.map((b) => b.service)).to.deep.equal(services);
    for (const [i, a] of first.entries()) {
      const b = second[i];
      expect(b.sha256).to.equal(a.sha256);
      expect(b.bytes).to.equal(a.bytes);
      expect(readFileSync(b.archivePath).equals(readFileSync(a.archivePath))).to.equal(true);
    }
  });

  it("archives sorted entries with a zero mtime, fixed modes, no owner, and the start script", async () => {
    const bytes = readFileSync(first[1].archivePath);
    expect(bytes.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).to.equal(true);
    expect(bytes.readUInt32LE(4)).to.equal(0);
    const entries = await archiveEntries(first[1].archivePath);
    expect(entries).to.deep.equal(
      ["index.js", "package.json"].map((name) => ({
        name,
        mode: 0o644,
        mtime: 0,
        uid: 0,
        gid: 0,
        uname: "",
        type: "file",
      })),
    );
    expect(first[1].bytes).to.equal(bytes.length);
  });

  it("reuses the archives while no input changed, without rewriting them", async () => {
    const before = statSync(first[0].archivePath).mtimeMs;
    const again = await buildBundles({ outDir: dirA, services });
    expect(again).to.deep.equal(first);
    expect(statSync(first[0].archivePath).mtimeMs).to.equal(before);
    expect(freshBundles({ outDir: dirA, services })).to.deep.equal(first);
    const manifest = JSON.parse(readFileSync(join(dirA, "manifest.json"), "utf8")) as {
      inputs: Record<string, { sha256: string }>;
    };
    expect(manifest.inputs).to.have.property("runtime/services/pdf-generator/index.ts");
  });

  it("names the missing entry points of unknown services", async () => {
    let error: Error | undefined;
    await buildBundles({ outDir: dirA, services: ["search-engine"] }).catch(
      (e: Error) => (error = e),
    );
    expect(error?.message).to.equal(
      "cannot bundle the services: 1 entry point(s) missing: runtime/services/search-engine/index.ts; " +
        "each service needs runtime/services/<name>/index.ts, which starts it when run with node",
    );
  });
});

describe("service bundling of pdfkit and sharp", function () {
  this.timeout(180_000);
  const fixtureRoot = join(__dirname, "..", "..", "out", "test-fixtures");
  const entry = join(fixtureRoot, "runtime", "services", "fixture-media", "index.ts");
  const FIXTURE = `
import PDFDocument from "pdfkit";
import sharp from "sharp";

export async function handler(): Promise<string> {
  const png = await sharp({ create: { width: 40, height: 20, channels: 3, background: "#336699" } })
    .png()
    .toBuffer();
  const thumb = await sharp(png).resize(10).webp().toBuffer();
  const meta = await sharp(thumb).metadata();
  const pdf = await new Promise<Buffer>((resolve) => {
    const doc = new PDFDocument();
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.font("Helvetica-Bold").text("Avalo receipt");
    doc.end();
  });
  return JSON.stringify({ format: meta.format, width: meta.width, height: meta.height, pdf: pdf.subarray(0, 5).toString() });
}

if (require.main === module) void handler().then((out) => process.stdout.write(out));
`;

  it("runs a bundle using pdfkit's standard fonts and sharp with only the archive's node_modules", async () => {
    rmSync(fixtureRoot, { recursive: true, force: true });
    mkdirSync(dirname(entry), { recursive: true });
    writeFileSync(entry, FIXTURE);
    const [bundle] = await buildBundles({
      rootDir: fixtureRoot,
      services: ["fixture-media"],
      force: true,
    });
    const names = (await archiveEntries(bundle.archivePath)).map((e) => e.name);
    expect(names).to.deep.equal([...names].sort());
    expect(names).to.include("node_modules/@img/sharp-linux-x64/package.json");
    expect(
      names.some((n) => n.startsWith("node_modules/@img/sharp-libvips-linux-x64/lib/")),
    ).to.equal(true);
    const runDir = join(fixtureRoot, "run");
    await extractArchive(bundle.archivePath, runDir);
    const manifest = JSON.parse(readFileSync(join(runDir, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(manifest.scripts.start).to.equal("node index.js");
    expect(Object.keys(manifest.dependencies)).to.deep.equal([
      "@img/sharp-linux-x64",
      "@img/sharp-libvips-linux-x64",
    ]);
    const out = execFileSync(process.execPath, ["index.js"], {
      cwd: runDir,
      env: { PATH: "/usr/bin:/bin" },
    });
    expect(JSON.parse(out.toString())).to.deep.equal({
      format: "webp",
      width: 10,
      height: 5,
      pdf: "%PDF-",
    });
  });
});
