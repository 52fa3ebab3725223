import { expect } from "chai";
import { runLoadJob } from "../../../runtime/load/job";
import { startStubTarget, type StubTarget } from "./stub-target";

describe("load-generator Cloud Run Job entry", function () {
  this.timeout(20_000);
  let stub: StubTarget;
  before(async () => {
    stub = await startStubTarget();
  });
  after(() => stub.close());

  it("runs its task's share of users and rate from the environment", async () => {
    const run = await runLoadJob({
      AVALO_LOAD_URL: stub.url,
      AVALO_LOAD_AUTH: "none",
      AVALO_LOAD_USERS: "10",
      AVALO_LOAD_RATE: "100",
      AVALO_LOAD_DURATION: "1s",
      AVALO_LOAD_RAMP_UP: "0",
      AVALO_LOAD_SEED: "5",
      CLOUD_RUN_TASK_INDEX: "1",
      CLOUD_RUN_TASK_COUNT: "4",
    });
    expect(run.config.shard).to.deep.equal({ index: 1, count: 4 });
    // 10 users over 4 tasks: 3, 3, 2, 2; task 1 drives 3/10 of 100 ops/s.
    expect(run.config.shardUsers).to.equal(3);
    expect(run.config.shardRatePerSecond).to.equal(30);
    expect(run.arrivals).to.equal(30);
    expect(run.ok).to.equal(30);
    expect(run.seed).to.equal(5);
  });

  it("refuses a production-looking URL unless told, and names a bad variable", async () => {
    const refused = await runLoadJob({ AVALO_LOAD_URL: "https://{service}-prod.example" }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(refused?.message).to.equal(
      'refusing to load-test what looks like production: URL https://{service}-prod.example contains "prod". Load tests run against the local platform or a staging stack; if you really mean production, pass AVALO_LOAD_I_KNOW_THIS_IS_PRODUCTION=true',
    );
    const error = await runLoadJob({ AVALO_LOAD_URL: stub.url, AVALO_LOAD_RATE: "fast" }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.equal('AVALO_LOAD_RATE: "fast" is not allowed; a number is allowed');
  });
});
