import { expect } from "chai";
import { createServer, type Server } from "node:http";
import { NOT_SENT_IN_FLIGHT_CAP } from "../../../runtime/load/errors";
import { parseMix } from "../../../runtime/load/mix";
import { runLoad } from "../../../runtime/load/run";
import { httpTarget } from "../../../runtime/load/targets";
import { noIdTokens } from "../../../runtime/services/clients/id-token";
import { startStubTarget, type StubTarget } from "./stub-target";

function target(url: string, maxSockets: number) {
  return httpTarget({ urlFor: () => url, tokens: noIdTokens, maxSockets });
}

describe("runLoad (open loop, against a local HTTP server)", function () {
  this.timeout(30_000);
  let stub: StubTarget;
  beforeEach(async () => {
    stub = await startStubTarget();
  });
  afterEach(() => stub.close());

  it("reaches every operation's HTTP entry point and counts them per operation", async () => {
    const run = await runLoad({
      target: target(stub.url, 50),
      users: 20,
      ratePerSecond: 200,
      durationSeconds: 1,
      rampUpSeconds: 0,
      seed: 3,
    });
    expect(run.arrivals).to.equal(200);
    expect(run.ok).to.equal(200);
    const counts = Object.fromEntries(run.operations.map((o) => [o.op, o.count]));
    expect({
      "POST /v1/rank": counts.feed,
      "PUT /v1/profiles/:id": counts.profile,
      "POST /v1/interactions": counts.likes,
      "POST /v1/events": counts.chat,
      "POST /v1/generate": counts.ai,
      "POST /v1/score": counts.payments,
    }).to.deep.equal(Object.fromEntries(stub.hits));
    expect(run.seed).to.equal(3);
  });

  it("keeps sending on schedule while a slow target falls behind, and latency from the intended time grows", async () => {
    stub.delayMillis = 50;
    // One socket: at most 20 answers/s, against 50 arrivals/s.
    const run = await runLoad({
      target: target(stub.url, 1),
      mix: parseMix("feed=100"),
      users: 5,
      ratePerSecond: 50,
      durationSeconds: 1,
      rampUpSeconds: 0,
      seed: 1,
    });
    // A closed-loop generator with one connection would have started ~20; the schedule started all 50.
    expect(run.arrivals).to.equal(50);
    expect(run.sent).to.equal(50);
    expect(run.ok).to.equal(50);
    const feed = run.operations.find((o) => o.op === "feed")!;
    // Arrival k waits behind k earlier ones: ≈ 50 + 30k ms, so the last ≈ 1.5 s.
    expect(feed.maxMs).to.be.greaterThan(1300);
    expect(feed.p50Ms).to.be.greaterThan(500);
    const seconds = run.timeline.filter((t) => t.op === "feed");
    expect(seconds[seconds.length - 1].p50Ms).to.be.greaterThan(seconds[0].p50Ms);
  });

  it("counts arrivals beyond --max-in-flight as not sent instead of dropping them", async () => {
    stub.delayMillis = 300;
    const run = await runLoad({
      target: target(stub.url, 10),
      mix: parseMix("payments=100"),
      users: 5,
      ratePerSecond: 100,
      durationSeconds: 1,
      rampUpSeconds: 0,
      maxInFlight: 10,
      seed: 1,
    });
    const payments = run.operations.find((o) => o.op === "payments")!;
    expect(run.arrivals).to.equal(100);
    expect(payments.count).to.equal(100);
    expect(run.sent + payments.errorsByType[NOT_SENT_IN_FLIGHT_CAP]).to.equal(100);
    expect(run.sent).to.be.within(10, 50);
    expect(run.saturation.findings.map((f) => f.kind)).to.include("in-flight-cap");
    expect(run.thresholds.passed).to.equal(false);
  });

  it("groups failures by type: HTTP status and connection errors", async () => {
    stub.status.set("POST /v1/rank", 503);
    const run = await runLoad({
      target: target(stub.url, 10),
      mix: parseMix("feed=50,profile=50"),
      users: 5,
      ratePerSecond: 100,
      durationSeconds: 1,
      rampUpSeconds: 0,
      seed: 9,
    });
    const feed = run.operations.find((o) => o.op === "feed")!;
    const profile = run.operations.find((o) => o.op === "profile")!;
    expect(feed.errorsByType).to.deep.equal({ "http-503": feed.count });
    expect(profile.errors).to.equal(0);
    const closed = await runLoad({
      target: target("http://127.0.0.1:1", 10),
      mix: parseMix("ai=100"),
      users: 1,
      ratePerSecond: 10,
      durationSeconds: 1,
      rampUpSeconds: 0,
    });
    expect(closed.operations.find((o) => o.op === "ai")!.errorsByType).to.deep.equal({
      "connection-ECONNREFUSED": 10,
    });
  });
});

describe("coordinated-omission correction", function () {
  this.timeout(30_000);
  let server: Server;
  let url: string;
  let requests = 0;
  before(async () => {
    // In the generator's own process: the 20th request blocks the event loop for 400 ms, so
    // arrivals due meanwhile are sent late. Measured from the send they look fast; from their
    // intended time they waited.
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (++requests === 20) {
          const until = Date.now() + 400;
          while (Date.now() < until);
        }
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("records the stall for every arrival it delayed, which service time alone would hide", async () => {
    const run = await runLoad({
      target: target(url, 50),
      mix: parseMix("feed=100"),
      users: 5,
      ratePerSecond: 100,
      durationSeconds: 2,
      rampUpSeconds: 0,
      seed: 2,
    });
    const feed = run.operations.find((o) => o.op === "feed")!;
    // ~40 of 200 arrivals fell in the stall: p95 and beyond carry it from the intended time...
    expect(feed.p95Ms).to.be.greaterThan(150);
    expect(feed.maxMs).to.be.greaterThan(350);
    expect(run.schedulerLag.maxMs).to.be.greaterThan(350);
    // ...while the median service time (from the late send) shows none of it.
    expect(feed.serviceP50Ms).to.be.lessThan(feed.p95Ms / 2);
  });
});
