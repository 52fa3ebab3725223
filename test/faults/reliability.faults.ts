import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect } from "chai";
import { chooseSeed } from "./plan";
import { runFaultScenario, type FaultFigures } from "./scenario";

/**
 * `npm run test:faults`: the fault-injection reliability suite against the local platform.
 * One scenario run (see scenario.ts) in `before`, then one test per ledger property. The seed
 * is printed; FAULTS_SEED=<seed> replays the same plan and fault schedule. FAULTS_TOTAL changes
 * the number of messages (default 112,000: about 100,800 valid events and 11,200 poison) and
 * FAULTS_RATE the publishers' pace in messages/s (default 1,500).
 * Figures go to out/faults.json.
 */

const ROOT = resolve(__dirname, "..", "..");
const DEFAULT_TOTAL = 112_000;
const MIN_EVENTS = 100_000;

function total(): number {
  const raw = process.env.FAULTS_TOTAL;
  if (raw === undefined || raw === "") return DEFAULT_TOTAL;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1000) {
    throw new Error(`FAULTS_TOTAL must be an integer >= 1000, but "${raw}" was provided`);
  }
  return n;
}

function summary(f: FaultFigures, totalMillis: number): string {
  const rows: Array<[string, string | number]> = [
    ["seed", `${f.seed} (FAULTS_SEED=${f.seed} to replay)`],
    ["messages planned / sent / confirmed", `${f.planned} / ${f.sent} / ${f.confirmed}`],
    ["valid events confirmed", f.confirmedValid],
    [
      "  of which push leg (bundle) applied",
      `${f.push.applied} of ${f.push.confirmed} (counter ${f.push.counterTotal})`,
    ],
    ["applied exactly once", f.applied],
    ["duplicated", f.duplicated],
    ["push re-sends (same batch id, collapsed)", f.ledger.notification.pushResends],
    ["lost", f.lost],
    ["applied but never confirmed", f.unexpected],
    ["poison confirmed / dead-lettered", `${f.confirmedPoison} / ${f.poisonDeadLettered}`],
    ["poison with the wrong reason", f.poisonWrongReason],
    ["redeliveries absorbed by the markers", f.redeliveriesAbsorbed],
    ["platform startup", `${(f.platformStartupMillis / 1000).toFixed(1)} s`],
    ["traffic time", `${(f.trafficMillis / 1000).toFixed(1)} s`],
    ["rate", `${f.ratePerSecond} messages/s`],
    ["total run", `${(totalMillis / 1000).toFixed(1)} s`],
  ];
  const lines = rows.map(([k, v]) => `  ${k.padEnd(42)} ${v}`);
  lines.push("  faults:");
  for (const fault of f.faults) {
    lines.push(
      `    ${fault.name}: injected at ${(fault.injectedAtMillis / 1000).toFixed(1)} s, recovered in ${
        fault.recoveryMillis === undefined ? "—" : `${fault.recoveryMillis} ms`
      } ${JSON.stringify(fault.detail)}`,
    );
  }
  return lines.join("\n");
}

describe("fault injection against the local platform", function () {
  this.timeout(1_200_000);
  let figures: FaultFigures;

  before(async function () {
    const seed = chooseSeed();
    console.log(`  fault suite seed ${seed}`);
    const started = Date.now();
    figures = await runFaultScenario({
      rootDir: ROOT,
      seed,
      total: total(),
      rate: process.env.FAULTS_RATE ? Number(process.env.FAULTS_RATE) : undefined,
      log: (line) => console.log(`    ${line}`),
    });
    const totalMillis = Date.now() - started;
    mkdirSync(join(ROOT, "out"), { recursive: true });
    writeFileSync(
      join(ROOT, "out", "faults.json"),
      JSON.stringify({ ...figures, totalMillis }, null, 2) + "\n",
    );
    console.log(summary(figures, totalMillis));
  });

  it(`drives at least ${MIN_EVENTS.toLocaleString("en")} valid events through the pipelines`, () => {
    expect(figures.confirmedValid).to.be.at.least(MIN_EVENTS);
  });

  it("applies every confirmed event exactly once", () => {
    const p = figures.ledger.pipelines;
    expect({
      lostAnalytics: p["analytics-aggregation"].lost.slice(0, 10),
      lostNotifications: p["notification-batch"].lost.slice(0, 10),
      unexpected: [
        ...p["analytics-aggregation"].unexpected,
        ...p["notification-batch"].unexpected,
      ].slice(0, 10),
      validDeadLettered: [
        ...p["analytics-aggregation"].validDeadLettered,
        ...p["notification-batch"].validDeadLettered,
      ].slice(0, 10),
      pushesMissing: figures.ledger.notification.pushesMissing.slice(0, 10),
      lostPushLeg: figures.push.lost.slice(0, 10),
      pushLegDeadLettered: figures.push.deadLettered.slice(0, 10),
      pushDuplicates: figures.ledger.notification.pushDuplicates.slice(0, 10),
    }).to.deep.equal({
      lostAnalytics: [],
      lostNotifications: [],
      unexpected: [],
      validDeadLettered: [],
      pushesMissing: [],
      lostPushLeg: [],
      pushLegDeadLettered: [],
      pushDuplicates: [],
    });
    expect(figures.push.counterTotal).to.equal(figures.push.confirmed);
    expect(figures.ledger.analyticsCounterTotal).to.equal(p["analytics-aggregation"].confirmed);
    expect(figures.applied).to.equal(figures.confirmedValid);
    expect(figures.lost).to.equal(0);
    expect(figures.duplicated).to.equal(0);
  });

  it("dead-letters every poison message with its reason", () => {
    expect(figures.confirmedPoison).to.be.greaterThan(0);
    expect(figures.ledger.poison.missing.slice(0, 10)).to.deep.equal([]);
    expect(figures.ledger.poison.wrongReason.slice(0, 10)).to.deep.equal([]);
    expect(figures.poisonDeadLettered).to.equal(figures.confirmedPoison);
    expect(Object.keys(figures.ledger.poison.reasons).sort()).to.deep.equal([
      "invalid-data",
      "malformed",
      "wrong-type",
    ]);
  });

  it("keeps the Redis exactly-once markers across the redis-server restart (AOF, fsync always)", () => {
    expect(figures.redis.appendonly).to.equal("yes");
    expect(figures.redis.appendfsync).to.equal("always");
    expect(figures.redis.pushMarkersBeforeRestart).to.be.greaterThan(0);
    expect(figures.redis.pushMarkersAfterRestart).to.be.at.least(
      figures.redis.pushMarkersBeforeRestart,
    );
    expect(figures.ledger.notification.redisMarkersMissing.slice(0, 10)).to.deep.equal([]);
  });

  it("recovers from each fault", () => {
    expect(figures.faults.map((f) => f.name).sort()).to.deep.equal([
      "Firestore emulator paused 5 s (SIGSTOP/SIGCONT)",
      "pipeline worker SIGKILL mid-batch",
      "publisher SIGKILL mid-batch",
      "redis-server SIGKILL + restart (same port, same AOF dir)",
    ]);
    for (const fault of figures.faults) {
      expect(fault.recoveryMillis, fault.name).to.be.a("number");
    }
  });
});
