import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { expect } from "chai";
import { Apis } from "../../components/apis";
import { type BundleResult, buildBundles, freshBundles } from "../../components/bundling";
import { RuntimeBundle, objectName } from "../../components/runtime-bundle";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);
const FAKE_BUNDLES: BundleResult[] = [
  {
    service: "ranking-engine",
    zipPath: "/tmp/r.zip",
    sha256: SHA_A,
    bytes: 10,
    functionTarget: "handler",
  },
  {
    service: "fraud-analyzer",
    zipPath: "/tmp/f.zip",
    sha256: SHA_B,
    bytes: 20,
    functionTarget: "handler",
  },
];
const KEY = "projects/avalo-us/locations/us-east1/keyRings/avalo/cryptoKeys/bundles";

function newBundle(overrides: Partial<ConstructorParameters<typeof RuntimeBundle>[1]> = {}) {
  const apis = new Apis("apis", { project: "avalo-us" });
  return new RuntimeBundle("bundles", {
    ...platformArgs("us"),
    apis,
    kmsKeyName: KEY,
    bundles: FAKE_BUNDLES,
    ...overrides,
  });
}

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly localOffset: number;
  readonly dosDate: number;
  readonly dosTime: number;
  readonly mode: number;
}

/** Reads a zip's central directory: names, DOS timestamps and unix modes, in stored order. */
function zipEntries(bytes: Buffer): ZipEntry[] {
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = bytes.readUInt16LE(eocd + 10);
  let offset = bytes.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    entries.push({
      dosTime: bytes.readUInt16LE(offset + 12),
      dosDate: bytes.readUInt16LE(offset + 14),
      mode: bytes.readUInt32LE(offset + 38) >>> 16,
      method: bytes.readUInt16LE(offset + 10),
      compressedSize: bytes.readUInt32LE(offset + 20),
      localOffset: bytes.readUInt32LE(offset + 42),
      name: bytes.toString("utf8", offset + 46, offset + 46 + nameLength),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Extracts a zip into `dir` (stored and deflated entries). */
function unzipTo(bytes: Buffer, dir: string): void {
  for (const e of zipEntries(bytes)) {
    const at = e.localOffset;
    const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
    const raw = bytes.subarray(start, start + e.compressedSize);
    const path = join(dir, e.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, e.method === 8 ? inflateRawSync(raw) : raw);
  }
}

describe("RuntimeBundle", () => {
  it("keeps the bundles in a private, versioned, CMEK bucket inside the geography", async () => {
    const { resources } = await runComponent(() => newBundle());
    const bucket = named(resources, "bundles");
    expect(bucket.type).to.equal("gcp:storage/bucket:Bucket");
    expect(bucket.inputs).to.include({
      name: "avalo-us-bundles",
      location: "us-east1",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      forceDestroy: false,
      storageClass: "STANDARD",
    });
    expect(bucket.inputs.versioning).to.deep.equal({ enabled: true });
    expect(bucket.inputs.encryption).to.deep.equal({ defaultKmsKeyName: KEY });
    expect(bucket.inputs.labels).to.deep.equal({
      app: "avalo",
      geography: "us",
      region: "us-east",
      env: "prod",
      purpose: "bundles",
    });
  });

  it("uploads one object per service named by the zip's content hash", async () => {
    const { resources } = await runComponent(() => newBundle());
    const objects = ofType(resources, "gcp:storage/bucketObject:BucketObject");
    expect(objects.map((o) => o.inputs.name).sort()).to.deep.equal([
      `fraud-analyzer/${SHA_B}.zip`,
      `ranking-engine/${SHA_A}.zip`,
    ]);
    const component = resources.find((r) => r.type === "avalo:deploy:RuntimeBundle");
    for (const o of objects) {
      expect(o.parent).to.equal(component?.urn);
      expect(o.inputs).to.include({ bucket: "avalo-us-bundles", contentType: "application/zip" });
    }
    expect(objectName({ service: "x", sha256: SHA_A })).to.equal(`x/${SHA_A}.zip`);
  });

  it("hands out the gs:// source location of a service and names the services it holds otherwise", async () => {
    let error: Error | undefined;
    const { result } = await runComponent(() => {
      const bundle = newBundle();
      try {
        bundle.objectFor("search-engine");
      } catch (e) {
        error = e as Error;
      }
      return bundle.sourceLocation("ranking-engine");
    });
    const location = await new Promise((resolve) => result.apply(resolve));
    expect(location).to.equal(`gs://avalo-us-bundles/ranking-engine/${SHA_A}.zip`);
    expect(error?.message).to.contain(
      'RuntimeBundle bundles has no bundle for service "search-engine"; it holds: fraud-analyzer, ranking-engine',
    );
  });

  it("rejects a bucket location outside the geography before creating anything", async () => {
    const { error, resources } = await runFailing(() => newBundle({ location: "europe-west1" }));
    expect(error.message).to.contain("`location` must be one of us-central1, us-east1");
    expect(error.message).to.contain('but "europe-west1" was provided');
    expect(resources.filter((r) => r.custom && r.type.startsWith("gcp:storage"))).to.have.length(0);
  });
});

describe("service bundling", function () {
  // One esbuild pass over two services per build; the machine is shared, so allow for load.
  this.timeout(180_000);
  const root = join(__dirname, "..", "..");
  const dirA = join(root, "out", "test-bundles", "a");
  const dirB = join(root, "out", "test-bundles", "b");
  const services = ["pdf-generator", "user-worker"];
  let first: BundleResult[];
  let second: BundleResult[];

  before(async () => {
    rmSync(join(root, "out", "test-bundles"), { recursive: true, force: true });
    first = await buildBundles({ outDir: dirA, services, force: true });
    second = await buildBundles({ outDir: dirB, services, force: true });
  });

  it("gives byte-identical zips and the same sha256 for the same sources", () => {
    expect(first.map((b) => b.service)).to.deep.equal(services);
    for (const [i, a] of first.entries()) {
      const b = second[i];
      expect(b.sha256).to.equal(a.sha256);
      expect(b.bytes).to.equal(a.bytes);
      expect(readFileSync(b.zipPath).equals(readFileSync(a.zipPath))).to.equal(true);
    }
  });

  it("zips sorted entries with a fixed 1980-01-01 mtime, fixed modes and the start script", () => {
    const bytes = readFileSync(first[1].zipPath);
    const entries = zipEntries(bytes);
    expect(entries.map((e) => e.name)).to.deep.equal(["index.js", "package.json"]);
    for (const e of entries) {
      expect(e.dosDate).to.equal((0 << 9) | (1 << 5) | 1);
      expect(e.dosTime).to.equal(0);
      expect(e.mode).to.equal(0o100644);
    }
    const listed = first[1];
    expect(listed.functionTarget).to.equal("handler");
    expect(listed.bytes).to.equal(bytes.length);
  });

  it("reuses the zips while no input changed, without rewriting them", async () => {
    const before = statSync(first[0].zipPath).mtimeMs;
    const again = await buildBundles({ outDir: dirA, services });
    expect(again).to.deep.equal(first);
    expect(statSync(first[0].zipPath).mtimeMs).to.equal(before);
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
        "each service needs runtime/services/<name>/index.ts exporting `handler`",
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

  it("runs a bundle using pdfkit's standard fonts and sharp with only the zip's node_modules", async () => {
    rmSync(fixtureRoot, { recursive: true, force: true });
    mkdirSync(dirname(entry), { recursive: true });
    writeFileSync(entry, FIXTURE);
    const [bundle] = await buildBundles({
      rootDir: fixtureRoot,
      services: ["fixture-media"],
      force: true,
    });
    const bytes = readFileSync(bundle.zipPath);
    const names = zipEntries(bytes).map((e) => e.name);
    expect(names).to.deep.equal([...names].sort());
    expect(names).to.include("node_modules/@img/sharp-linux-x64/package.json");
    expect(
      names.some((n) => n.startsWith("node_modules/@img/sharp-libvips-linux-x64/lib/")),
    ).to.equal(true);
    const runDir = join(fixtureRoot, "run");
    unzipTo(bytes, runDir);
    const manifest = JSON.parse(readFileSync(join(runDir, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(manifest.scripts.start).to.equal("functions-framework --target=handler");
    expect(Object.keys(manifest.dependencies)).to.deep.equal([
      "@google-cloud/functions-framework",
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
