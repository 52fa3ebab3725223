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
import { all as pulumiAll } from "@pulumi/pulumi";
import { expect } from "chai";
import { Apis } from "../../components/apis";
import { type Bundle, buildBundles, freshBundles } from "../../components/bundling";
import { RuntimeBundle, objectName } from "../../components/runtime-bundle";
import { extractArchive } from "../../cli/local/bundles";
import { named, ofType, platformArgs, runComponent, runFailing } from "./fixtures";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);
const FAKE_BUNDLES: Bundle[] = [
  {
    service: "ranking-engine",
    archivePath: "/tmp/r.tar.gz",
    sha256: SHA_A,
    bytes: 10,
  },
  {
    service: "fraud-analyzer",
    archivePath: "/tmp/f.tar.gz",
    sha256: SHA_B,
    bytes: 20,
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

  it("uploads one object per service named by the archive's content hash", async () => {
    const { resources } = await runComponent(() => newBundle());
    const objects = ofType(resources, "gcp:storage/bucketObject:BucketObject");
    expect(objects.map((o) => o.inputs.name).sort()).to.deep.equal([
      `fraud-analyzer/${SHA_B}.tar.gz`,
      `ranking-engine/${SHA_A}.tar.gz`,
    ]);
    const component = resources.find((r) => r.type === "avalo:deploy:RuntimeBundle");
    for (const o of objects) {
      expect(o.parent).to.equal(component?.urn);
      expect(o.inputs).to.include({ bucket: "avalo-us-bundles", contentType: "application/gzip" });
    }
    expect(objectName({ service: "x", sha256: SHA_A })).to.equal(`x/${SHA_A}.tar.gz`);
  });

  it("hands out a service's source object with its generation and names the services it holds otherwise", async () => {
    let error: Error | undefined;
    const { result } = await runComponent(() => {
      const bundle = newBundle();
      try {
        bundle.objectFor("search-engine");
      } catch (e) {
        error = e as Error;
      }
      const source = bundle.sourceOf("ranking-engine");
      return pulumiAll([source.bucket, source.object, source.generation]);
    });
    const [bucket, object, generation] = await new Promise<string[]>((resolve) =>
      result.apply(resolve),
    );
    expect(bucket).to.equal("avalo-us-bundles");
    expect(object).to.equal(`ranking-engine/${SHA_A}.tar.gz`);
    expect(generation).to.match(/^17\d{14}$/);
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

describe("what a runtime change rolls", function () {
  this.timeout(180_000);
  const root = join(__dirname, "..", "..", "out", "test-roll");
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const objects = async () =>
    Object.fromEntries(
      (await buildBundles({ rootDir: root, services: ["alpha", "beta"], force: true })).map((b) => [
        b.service,
        objectName(b),
      ]),
    );

  it("changes the source object of exactly the services whose bundle includes the changed file", async () => {
    rmSync(root, { recursive: true, force: true });
    write("runtime/shared.ts", "export const shared = 1;\n");
    write("runtime/only-beta.ts", "export const onlyBeta = 1;\n");
    write(
      "runtime/services/alpha/index.ts",
      'import { shared } from "../../shared";\nconsole.log(shared);\n',
    );
    write(
      "runtime/services/beta/index.ts",
      'import { shared } from "../../shared";\nimport { onlyBeta } from "../../only-beta";\nconsole.log(shared, onlyBeta);\n',
    );
    const before = await objects();
    expect(await objects()).to.deep.equal(before);

    write("runtime/only-beta.ts", "export const onlyBeta = 2;\n");
    const betaChanged = await objects();
    expect(betaChanged.alpha).to.equal(before.alpha);
    expect(betaChanged.beta).to.not.equal(before.beta);

    write("runtime/shared.ts", "export const shared = 2;\n");
    const bothChanged = await objects();
    expect(bothChanged.alpha).to.not.equal(betaChanged.alpha);
    expect(bothChanged.beta).to.not.equal(betaChanged.beta);
  });
});
