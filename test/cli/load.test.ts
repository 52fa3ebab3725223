import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseLoadArgs } from "../../cli/load/args";
import { runLoadCommand } from "../../cli/load/command";
import { productionProjects } from "../../cli/load/production";
import type { MeasuredResult, SimulatedResult } from "../../cli/load/result";
import { startStubTarget, type StubTarget } from "../runtime/load/stub-target";

const REPO = join(__dirname, "..", "..");

async function load(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runLoadCommand(argv, {
    rootDir: REPO,
    env: {},
    out: (t) => (out += `${t}\n`),
    err: { write: (t: string) => (err += t), isTTY: false },
  });
  return { code, out, err };
}

describe("avalo load arguments", () => {
  it("defaults to the local target, 200 users, 500 ops/s, 60 s with a 10 s ramp-up", () => {
    const o = parseLoadArgs([], {});
    expect([
      o.target,
      o.users,
      o.ratePerSecond,
      o.durationSeconds,
      o.rampUpSeconds,
      o.simulate,
    ]).to.deep.equal(["local", 200, undefined, 60, 10, false]);
    expect(o.thresholds).to.deep.equal({
      p95Millis: 500,
      maxErrorRate: 0.001,
      minOpsPerSecond: 10_000,
    });
  });

  it("parses durations, thresholds and the shard", () => {
    const o = parseLoadArgs(
      [
        "--duration",
        "2m",
        "--ramp-up",
        "0",
        "--p95",
        "250",
        "--max-error-rate",
        "1%",
        "--min-ops",
        "300",
        "--shard",
        "1/3",
      ],
      {},
    );
    expect([o.durationSeconds, o.rampUpSeconds, o.thresholds, o.shard]).to.deep.equal([
      120,
      0,
      { p95Millis: 250, maxErrorRate: 0.01, minOpsPerSecond: 300 },
      { index: 1, count: 3 },
    ]);
  });

  it("switches to simulation mode above 100,000 users", () => {
    expect(parseLoadArgs(["--users", "100000"], {}).simulate).to.equal(false);
    expect(parseLoadArgs(["--users", "1000000"], {}).simulate).to.equal(true);
  });

  it("names the bad flag, its value and what is allowed", () => {
    expect(() => parseLoadArgs(["--target", "prod"], {})).to.throw(
      '--target: "prod" is not allowed; allowed: local, staging',
    );
    expect(() => parseLoadArgs(["--target", "staging"], {})).to.throw(
      '--url: "" is not allowed; --target staging needs --url <base URL of the staging services>',
    );
    expect(() => parseLoadArgs(["--duration", "soon"], {})).to.throw(
      '--duration: "soon" is not allowed; a duration > 0 such as 60s, 5m, 1h or 1500ms is allowed',
    );
    expect(() => parseLoadArgs(["--users", "1.5"], {})).to.throw(
      '--users: "1.5" is not allowed; an integer >= 1 is allowed',
    );
    expect(() => parseLoadArgs(["--mix", "feed=60,chat=60"], {})).to.throw(
      "the percentages must add up to 100, but they add up to 120",
    );
    expect(() => parseLoadArgs(["--ramp-up", "90s"], {})).to.throw(
      '--ramp-up: "90s" is not allowed; a ramp-up from 0 to the duration (60 s) is allowed',
    );
  });
});

describe("avalo load production guard", () => {
  it("finds the prod stacks' projects in Pulumi.<stack>.yaml", () => {
    expect(productionProjects(REPO)).to.deep.include({ stack: "us-east", project: "avalo-us" });
  });

  it("refuses a production URL or project with exit code 2 and sends nothing", async () => {
    const byUrl = await load([
      "--target",
      "staging",
      "--url",
      "https://{service}-prod-x.a.run.app",
    ]);
    expect(byUrl.code).to.equal(2);
    expect(byUrl.err).to.contain(
      'refusing to load-test what looks like production: URL https://{service}-prod-x.a.run.app contains "prod"',
    );
    const byProject = await load([
      "--target",
      "staging",
      "--url",
      "http://127.0.0.1:9",
      "--project",
      "avalo-us",
    ]);
    expect(byProject.code).to.equal(2);
    expect(byProject.err).to.contain(
      'project id "avalo-us" is the gcp:project of stack us-east, whose avalo:environment is prod',
    );
    expect(byProject.out).to.equal("");
  });
});

describe("avalo load against a local stub of the entry points", function () {
  this.timeout(60_000);
  let stub: StubTarget;
  let out: string;
  before(async () => {
    stub = await startStubTarget(1);
    out = mkdtempSync(join(tmpdir(), "avalo-load-"));
  });
  after(async () => {
    await stub.close();
    rmSync(out, { recursive: true, force: true });
  });

  it("prints percentiles per operation, writes result.json and the HTML report, exits 0 when thresholds are met", async () => {
    const r = await load([
      "--target",
      "staging",
      "--url",
      stub.url,
      "--auth",
      "none",
      "--duration",
      "3s",
      "--ramp-up",
      "1s",
      "--rate",
      "100",
      "--users",
      "50",
      "--seed",
      "11",
      "--min-ops",
      "50",
      "--name",
      "pass",
      "--out",
      out,
    ]);
    expect(r.err).to.not.contain("failed");
    expect(r.out).to.not.contain("report NOT written");
    expect(r.code).to.equal(0);
    expect(r.out).to.match(/operation\s+arrivals\s+ok\s+errors\s+p50 ms\s+p95 ms\s+p99 ms/);
    expect(r.out).to.contain("verdict: PASS");
    expect(r.out).to.contain("seed: 11");
    const result = JSON.parse(
      readFileSync(join(out, "pass", "result.json"), "utf8"),
    ) as MeasuredResult;
    expect(result.mode).to.equal("measured");
    expect(result.seed).to.equal(11);
    expect(result.verdict).to.equal("pass");
    // 1 s ramp (50 arrivals) + 2 s at 100/s.
    expect(result.run.arrivals).to.equal(250);
    expect(result.run.operations.map((o) => o.op)).to.deep.equal([
      "feed",
      "profile",
      "likes",
      "chat",
      "ai",
      "payments",
      "all",
    ]);
    expect(result.run.timeline.some((t) => t.op === "feed" && t.second === 2)).to.equal(true);
    expect(result.cost.load.opsPerSecond).to.equal(result.run.opsPerSecond.steady);
    expect(result.cost.twentyMillion.dailyActiveUsers).to.equal(20_000_000);
    expect([...stub.hits.values()].reduce((a, b) => a + b, 0)).to.equal(250);
    expect(existsSync(join(out, "pass", "report.html"))).to.equal(true);
    expect(existsSync(join(out, "pass", "latency.png"))).to.equal(true);
  });

  it("exits 1 and names the missed threshold", async () => {
    const r = await load([
      "--target",
      "staging",
      "--url",
      stub.url,
      "--auth",
      "none",
      "--duration",
      "1s",
      "--ramp-up",
      "0",
      "--rate",
      "50",
      "--seed",
      "1",
      "--name",
      "fail",
      "--out",
      out,
    ]);
    expect(r.code).to.equal(1);
    expect(r.out).to.contain("verdict: FAIL (missed: throughput)");
    expect(r.out).to.match(/throughput\s+>= 10,000 ops\/s\s+50 ops\/s\s+MISSED/);
  });

  it("models 1,000,000 users without sending anything, and says it is a model", async () => {
    const before = [...stub.hits.values()].reduce((a, b) => a + b, 0);
    const r = await load(["--users", "1000000", "--duration", "5s", "--name", "sim", "--out", out]);
    expect(r.code).to.equal(0);
    expect(r.out).to.contain("*** MODEL, NOT A MEASUREMENT: simulation mode sent no requests");
    const result = JSON.parse(
      readFileSync(join(out, "sim", "result.json"), "utf8"),
    ) as SimulatedResult;
    expect(result.mode).to.equal("simulation");
    expect(result.simulation.ratePerSecond).to.equal(100_000);
    expect([...stub.hits.values()].reduce((a, b) => a + b, 0)).to.equal(before);
  });
});
