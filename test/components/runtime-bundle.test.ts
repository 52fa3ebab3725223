import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { all as pulumiAll } from "@pulumi/pulumi";
import { expect } from "chai";
import { Apis } from "../../components/apis";
import { type Bundle, buildBundles } from "../../build/bundles";
import { RuntimeBundle, objectName } from "../../components/runtime-bundle";
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
