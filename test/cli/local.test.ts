import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseUpArgs } from "../../cli/local/up";
import { PIPELINES } from "../../runtime/catalog/pipelines";
import { SERVICES } from "../../runtime/catalog/services";
import { renderStatus } from "../../cli/local/status";

const ROOT = join(__dirname, "..", "..");

/** Runs `avalo up --local ...` in its own process; `onLine` sees every stdout line. */
function runAvalo(args: string[], onLine: (line: string, pid: number) => void = () => undefined) {
  const child = spawn(
    process.execPath,
    ["-r", "tsx/cjs", "cli/avalo.ts", "up", "--local", ...args],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  let partial = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line, child.pid!);
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

/** Process groups the run reported, and which of them still have a live process. */
function leftovers(stdout: string): { groups: number[]; alive: string[] } {
  const match = /^process groups: ([\d ]+)$/m.exec(stdout);
  expect(match, "the run prints its process groups").to.not.equal(null);
  const groups = match![1].trim().split(" ").map(Number);
  const ps = spawnSync("ps", ["-eo", "pgid=,pid=,args="], { encoding: "utf8" }).stdout;
  const alive = ps
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && groups.includes(Number(l.split(/\s+/)[0])));
  return { groups, alive };
}

describe("avalo up --local: arguments and status table", () => {
  it("defaults to the home region of the us geography, interactive, 2 s refresh", () => {
    expect(parseUpArgs(["--local"])).to.deep.equal({
      once: false,
      region: "us-east",
      refreshMillis: 2000,
      fromPlan: false,
    });
    expect(
      parseUpArgs(["--local", "--once", "--region", "eu-west", "--refresh", "0.5", "--from-plan"]),
    ).to.deep.equal({
      once: true,
      region: "eu-west",
      refreshMillis: 500,
      fromPlan: true,
    });
  });

  it("names the bad flag and what is allowed", () => {
    expect(() => parseUpArgs(["--local", "--region", "mars"])).to.throw(
      '--region "mars" is not a region; allowed: us-east, us-west, eu-west, eu-central, asia-south, asia-east',
    );
    expect(() => parseUpArgs(["--once"])).to.throw(
      "only the local platform can be started here: pass --local",
    );
    expect(() => parseUpArgs(["--local", "--fast"])).to.throw('unknown argument "--fast"');
    expect(() => parseUpArgs(["--local", "--refresh", "0"])).to.throw(
      '--refresh "0" must be a positive number of seconds',
    );
  });

  it("renders the status table with '-' where a figure does not apply", () => {
    const text = renderStatus([
      {
        service: "user-worker",
        port: 4100,
        health: "ok",
        processed: 12,
        deadLettered: 1,
        p95Ms: 35.4,
      },
      {
        service: "pdf-generator",
        port: 4101,
        health: "503",
        processed: undefined,
        deadLettered: undefined,
        p95Ms: undefined,
      },
    ]);
    expect(text.split("\n")).to.deep.equal([
      "service        port  health  processed  dead-lettered  p95 ms",
      "-------------  ----  ------  ---------  -------------  ------",
      "user-worker    4100  ok             12              1      35",
      "pdf-generator  4101  503             -              -       -",
    ]);
  });
});

describe("avalo up --local on the emulators, redis-server and the service bundles", function () {
  // Two JVMs and eleven bundles on a shared 2-core machine: 75 s per run when it is quiet,
  // over 200 s at load average 20.
  this.timeout(480_000);

  it("--once: passes every smoke check, reports startup, exits 0 and leaves no process behind", async () => {
    const { done } = runAvalo(["--once"]);
    const { code, stdout, stderr } = await done;
    expect(code, `${stdout}\n${stderr}`).to.equal(0);
    expect(stdout).to.match(/^startup to all-healthy: \d+\.\d s \(target < 60 s: (met|MISSED)\)$/m);
    expect(stdout).to.include("all 17 checks passed");
    expect(stdout).to.match(
      /PASS {2}media upload .* uploads\/u-\S+ uploaded \(another user's prefix refused with 403\), transcoded: media_jobs\/\S+ done/,
    );
    expect(stdout).to.match(
      /PASS {2}poison message .* in avalo-user-created-dlq with reason invalid-data/,
    );
    for (const spec of PIPELINES) {
      expect(stdout).to.match(new RegExp(`PASS {2}pipeline ${spec.name} .* marker written`));
    }
    expect(stdout).to.match(/PASS {2}service pdf-generator .* POST \/v1\/statements 200/);
    for (const spec of SERVICES) {
      expect(stdout).to.match(new RegExp(`^${spec.name} +\\d+ {2}ok `, "m"));
    }
    // Processed: events applied (host metrics, or the bundles' exactly-once markers).
    expect(stdout).to.match(/^user-worker +\d+ {2}ok +[1-9]\d* +\d+ +(\d+|-)$/m);
    const { groups, alive } = leftovers(stdout);
    expect(groups).to.have.length(14); // 2 emulators, redis-server, 11 services
    expect(alive).to.deep.equal([]);
  });

  it("interactive: refreshes the table until SIGINT, then stops everything and exits 0", async () => {
    let refreshed = 0;
    const { child, done } = runAvalo(["--refresh", "0.5"], (line) => {
      if (line.startsWith("avalo local platform (us-east)") && ++refreshed === 2) {
        child.kill("SIGINT");
      }
    });
    const { code, stdout, stderr } = await done;
    expect(code, `${stdout}\n${stderr}`).to.equal(0);
    expect(refreshed).to.equal(2);
    expect(stdout).to.match(/^stopped in \d+ ms$/m);
    expect(leftovers(stdout).alive).to.deep.equal([]);
  });
});
