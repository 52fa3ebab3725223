import { readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { expect } from "chai";
import { buildBundles } from "../../components/bundling";
import { archiveFileNames } from "../../components/bundling";
import { plannedContainers, type PlannedContainer } from "../../cli/local/planned";
import { startPlatform, type Platform } from "../../cli/local/platform";
import { runSmoke } from "../../cli/local/smoke";
import { loadStackConfig, readStackFile } from "../../stacks/config";
import { runOffline } from "../../stacks/offline/mocks";
import { defineStack } from "../../stacks/program";
import { SERVICES } from "../../runtime/services/catalog";
import { SERVICE_SECRET_VARIABLES } from "../../runtime/services/container";

const ROOT = resolve(__dirname, "..", "..");

/**
 * The deploy contract end to end: the us-east plan's Cloud Run containers (archive, command,
 * args, variable names) started on this machine, each from an empty directory holding only its
 * archive, against the emulators and redis-server, answering `/healthz` and the smoke scenario's
 * real requests.
 */
describe("the plan's containers, run locally", function () {
  this.timeout(600_000);
  let containers: PlannedContainer[];
  let platform: Platform | undefined;

  before(async () => {
    const bundles = await buildBundles();
    const { resources } = await runOffline(
      { project: "avalo", stack: "us-east", config: readStackFile("us-east") },
      () => defineStack(loadStackConfig(), bundles),
    );
    containers = plannedContainers(resources, "us-east");
  });

  after(async () => {
    await platform?.stop();
  });

  it("finds one container per service, each started as `node index.js` with the Redis secrets", () => {
    expect(containers.map((c) => c.service).sort()).to.deep.equal(
      SERVICES.map((s) => s.name).sort(),
    );
    for (const c of containers) {
      expect(c.command, c.service).to.deep.equal(["node"]);
      expect(c.args, c.service).to.deep.equal(["index.js"]);
      expect(c.secretNames, c.service).to.deep.equal([...SERVICE_SECRET_VARIABLES]);
      expect(archiveFileNames(c.archive.archivePath), c.service).to.include("index.js");
    }
  });

  it("starts every planned archive with its command, args and variable names, healthy, and passes the smoke run", async () => {
    platform = await startPlatform({ rootDir: ROOT, region: "us-east", containers });
    expect(platform.services.map((s) => s.service).sort()).to.deep.equal(
      containers.map((c) => c.service).sort(),
    );
    for (const c of containers) {
      const dir = join(ROOT, "out", "local", "bundles", c.service);
      const extracted = readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name !== ".sha256")
        .map((e) => relative(dir, join(e.parentPath, e.name)))
        .sort();
      expect(extracted, c.service).to.deep.equal(archiveFileNames(c.archive.archivePath).sort());
    }
    const checks = await runSmoke(platform, new Map());
    const failed = checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    expect(failed).to.deep.equal([]);
    expect(checks.length).to.be.greaterThan(SERVICES.length);
  });
});
