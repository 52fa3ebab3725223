import { expect } from "chai";
import {
  globalUserNumber,
  parseShard,
  shardFromEnv,
  shardRate,
  shardUsers,
} from "../../../runtime/load/shard";
import { VirtualUsers } from "../../../runtime/load/virtual-users";

describe("load shards", () => {
  it("parses i/N and names the flag for a bad one", () => {
    expect(parseShard("2/4")).to.deep.equal({ index: 2, count: 4 });
    expect(() => parseShard("4/4")).to.throw(
      '--shard: "4/4" is not allowed; i/N with 0 ≤ i < N is allowed, e.g. 0/4',
    );
    expect(() => parseShard("a/b")).to.throw('--shard: "a/b" is not allowed');
  });

  it("reads Cloud Run's task index and count, one shard when unset", () => {
    expect(shardFromEnv({ CLOUD_RUN_TASK_INDEX: "3", CLOUD_RUN_TASK_COUNT: "10" })).to.deep.equal({
      index: 3,
      count: 10,
    });
    expect(shardFromEnv({})).to.deep.equal({ index: 0, count: 1 });
    expect(() => shardFromEnv({ CLOUD_RUN_TASK_INDEX: "5", CLOUD_RUN_TASK_COUNT: "2" })).to.throw(
      'CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT: "5/2" is not allowed',
    );
  });

  it("divides users and rate so that the shards add up to the whole", () => {
    const count = 7;
    const shards = Array.from({ length: count }, (_, index) => ({ index, count }));
    expect(shards.map((s) => shardUsers(1_000_003, s))).to.deep.equal([
      142_858, 142_858, 142_858, 142_858, 142_857, 142_857, 142_857,
    ]);
    const rates = shards.map((s) => shardRate(70_000, 1_000_003, s));
    expect(rates.reduce((a, b) => a + b, 0)).to.be.closeTo(70_000, 1e-6);
    expect(rates[0]).to.be.closeTo((70_000 * 142_858) / 1_000_003, 1e-9);
  });

  it("deals users round-robin, so no two shards share a user id", () => {
    const ids = new Set<string>();
    for (let index = 0; index < 3; index++) {
      const shard = { index, count: 3 };
      const users = new VirtualUsers({ count: shardUsers(10, shard), runId: "r", shard });
      for (const u of users.users) ids.add(u.id);
    }
    expect(ids.size).to.equal(10);
    expect(globalUserNumber(2, { index: 1, count: 3 })).to.equal(7);
  });
});
