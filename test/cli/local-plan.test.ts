import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { expect } from "chai";
import { archiveFileNames } from "../../build/archive";
import { containersOfPlan, type PlannedContainer } from "../../cli/local/planned";
import { SERVICES, getService } from "../../runtime/catalog/services";
import { SERVICE_SECRET_VARIABLES } from "../../runtime/services/container";

const ROOT = resolve(__dirname, "..", "..");

/**
 * The deploy contract end to end: the us-east plan's Cloud Run containers (archive, command,
 * args, variable names) started on this machine by `avalo up --local --from-plan` in its own
 * process, each from an emptied directory holding only its archive, against the emulators and
 * redis-server, answering `/healthz` and the smoke scenario's real requests.
 */
describe("the plan's containers, run locally", function () {
  this.timeout(600_000);
  let containers: PlannedContainer[];

  before(async () => {
    containers = await containersOfPlan(ROOT, "us-east");
  });

  it("finds one container per service, each started as `node index.js`, the Redis users with the cache's secrets", () => {
    expect(containers.map((c) => c.service).sort()).to.deep.equal(
      SERVICES.map((s) => s.name).sort(),
    );
    for (const c of containers) {
      expect(c.command, c.service).to.deep.equal(["node"]);
      expect(c.args, c.service).to.deep.equal(["index.js"]);
      expect(c.secretNames, c.service).to.deep.equal(
        getService(c.service).uses.includes("redis") ? [...SERVICE_SECRET_VARIABLES] : [],
      );
      expect(archiveFileNames(c.archive.archivePath), c.service).to.include("index.js");
    }
  });

  it("`avalo up --local --once --from-plan` starts every planned archive with its command, args and variable names, healthy, and passes the smoke run", async () => {
    const run = spawnSync(
      process.execPath,
      ["-r", "tsx/cjs", "cli/avalo.ts", "up", "--local", "--once", "--from-plan"],
      { cwd: ROOT, encoding: "utf8", timeout: 480_000 },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).to.equal(0);
    for (const c of containers) {
      expect(run.stdout).to.include(`${c.service} (node index.js)`);
      const dir = join(ROOT, "out", "local", "bundles", c.service);
      const extracted = readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name !== ".sha256")
        .map((e) => relative(dir, join(e.parentPath, e.name)))
        .sort();
      expect(extracted, c.service).to.deep.equal(archiveFileNames(c.archive.archivePath).sort());
    }
    expect(run.stdout).to.match(/^all \d+ checks passed$/m);
  });
});
