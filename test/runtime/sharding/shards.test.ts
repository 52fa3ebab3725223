import { expect } from "chai";
import { spawnSync } from "node:child_process";
import {
  DEFAULT_SHARD_CONFIG,
  EU_MEMBER_STATES,
  getAnalyticsShardId,
  getChatShardId,
  getFeedShardId,
  getRegionalShard,
  getTransactionShardId,
  getUserShardId,
  identifyHotShards,
  initSharding,
  shardConfig,
  validateShardCount,
} from "../../../runtime/sharding";
import { REGIONS } from "../../../runtime/topology";
import { referenceShard } from "./reference";

const pad = (n: number, width: number) => String(n).padStart(width, "0");

describe("shard functions", () => {
  before(() => initSharding());

  it("throws a clear error when a shard function runs before initSharding()", () => {
    const run = spawnSync(
      process.execPath,
      ["-r", "tsx/cjs", "-e", "require('./runtime/sharding').getUserShardId('alice')"],
      { cwd: process.cwd(), encoding: "utf8" },
    );
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.contain(
      "sharding is not initialized: await initSharding() once at startup before calling a shard function",
    );
  });

  it("names user shards user_shard_000 … user_shard_099 by the reference placement", () => {
    expect(getUserShardId("alice")).to.equal("user_shard_031");
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = `user-${i}`;
      const shard = getUserShardId(id);
      expect(shard).to.equal(`user_shard_${pad(referenceShard(id, 100), 3)}`);
      seen.add(shard);
    }
    expect([...seen].sort()[0]).to.equal("user_shard_000");
    expect([...seen].sort().at(-1)).to.equal("user_shard_099");
    expect(seen.size).to.equal(100);
  });

  it("puts a conversation on one chat shard whoever sends, named by UTC month", () => {
    const at = new Date("2025-11-30T23:59:59Z");
    const a = getChatShardId(["bob", "alice"], at);
    expect(a).to.equal(getChatShardId(["alice", "bob"], at));
    expect(a).to.equal(getChatShardId(["alice", "bob", "alice"], at));
    expect(a).to.equal(`chat_shard_2025_11_${pad(referenceShard("alice\u001fbob", 1000), 4)}`);
    expect(getChatShardId(["alice", "bob"], new Date("2025-12-01T00:00:00Z"))).to.match(
      /^chat_shard_2025_12_\d{4}$/,
    );
  });

  it("rejects a chat with fewer than two distinct participants", () => {
    expect(() => getChatShardId(["alice", "alice"], new Date())).to.throw(
      '`participants` must name at least 2 distinct users, but ["alice","alice"] was provided',
    );
    expect(() => getChatShardId(["alice", ""], new Date())).to.throw(
      '`participants[1]` must be a non-empty string, but "" was provided',
    );
  });

  it("formats feed (daily, 500), transaction (monthly, 200) and analytics (hourly, 100) shards", () => {
    const at = new Date("2025-03-07T05:30:00Z");
    expect(getFeedShardId("alice", at)).to.equal(
      `feed_shard_2025_03_07_${pad(referenceShard("alice", 500), 3)}`,
    );
    expect(getTransactionShardId("alice", at)).to.equal(
      `transaction_shard_2025_03_${pad(referenceShard("alice", 200), 3)}`,
    );
    expect(getAnalyticsShardId("alice", at)).to.equal(
      `analytics_shard_2025_03_07_05_${pad(referenceShard("alice", 100), 3)}`,
    );
    expect(getFeedShardId("alice", new Date("2025-03-08T00:00:00Z"))).to.match(
      /^feed_shard_2025_03_08_/,
    );
    expect(() => getFeedShardId("alice", new Date("nope"))).to.throw(
      "a day-partitioned shard needs a valid Date, but Invalid Date was provided",
    );
  });

  it("reads every count from one config and rejects invalid counts by name", () => {
    expect(DEFAULT_SHARD_CONFIG.user.count).to.equal(100);
    expect(DEFAULT_SHARD_CONFIG.chat.count).to.equal(1000);
    expect(DEFAULT_SHARD_CONFIG.feed.count).to.equal(500);
    expect(DEFAULT_SHARD_CONFIG.transaction.count).to.equal(200);
    expect(DEFAULT_SHARD_CONFIG.analytics.count).to.equal(100);
    const cfg = shardConfig({ user: { count: 128 } });
    expect(getUserShardId("bob", cfg)).to.equal("user_shard_107");
    for (const bad of [0, -3, 2.5, 10_001, Number.NaN]) {
      expect(() => shardConfig({ user: { count: bad } })).to.throw(
        `\`shards.user.count\` must be an integer from 1 to 10000, but ${bad} was provided`,
      );
    }
    expect(() => validateShardCount("targetShards", 0)).to.throw(
      "`targetShards` must be an integer from 1 to 10000, but 0 was provided",
    );
  });

  it("routes residents to their region, always keeping EU residents in an EU region", () => {
    expect(getRegionalShard({ id: "alice", residencyCountry: "DE" })).to.deep.equal({
      region: "eu-central",
      shardId: "user_shard_031",
    });
    expect(getRegionalShard({ id: "a", residencyCountry: "fr" }).region).to.equal("eu-west");
    expect(getRegionalShard({ id: "a", residencyCountry: "US" }).region).to.equal("us-east");
    expect(
      getRegionalShard({ id: "a", residencyCountry: "US", residencySubdivision: "CA" }).region,
    ).to.equal("us-west");
    expect(getRegionalShard({ id: "a", residencyCountry: "IN" }).region).to.equal("asia-south");
    expect(getRegionalShard({ id: "a", residencyCountry: "JP" }).region).to.equal("asia-east");
    for (const country of EU_MEMBER_STATES) {
      const { region } = getRegionalShard({ id: "x", residencyCountry: country });
      expect(REGIONS[region].geography, country).to.equal("eu");
    }
  });

  it("rejects an unknown residency country instead of defaulting", () => {
    expect(() => getRegionalShard({ id: "a", residencyCountry: "ZZ" })).to.throw(
      /^`residencyCountry` "ZZ" is not a supported ISO 3166-1 alpha-2 country; supported: AE, AR, AT/,
    );
  });
});

describe("identifyHotShards", () => {
  const window = (shardId: string, writes: number) => ({ shardId, writes, windowSeconds: 10 });

  it("flags shards above the threshold and shards at k × the median, hottest first", () => {
    const samples = [
      window("s0", 10),
      window("s1", 12),
      window("s2", 11),
      window("s3", 40), // 4/s ≥ 3 × the median 1.2/s
      window("s4", 200), // 20/s: above threshold
    ];
    expect(identifyHotShards(samples, { threshold: 5, k: 3 })).to.deep.equal([
      { shardId: "s4", writesPerSecond: 20, reasons: ["threshold", "median"] },
      { shardId: "s3", writesPerSecond: 4, reasons: ["median"] },
    ]);
  });

  it("pools several windows of one shard into one rate", () => {
    const samples = [window("a", 10), window("a", 30), window("b", 10), window("c", 10)];
    expect(identifyHotShards(samples, { threshold: 1.5 })).to.deep.equal([
      { shardId: "a", writesPerSecond: 2, reasons: ["threshold"] },
    ]);
  });

  it("rejects a non-positive threshold and an empty window", () => {
    expect(() => identifyHotShards([], { threshold: 0 })).to.throw(
      "`threshold` must be a positive rate, but 0 was provided",
    );
    expect(() =>
      identifyHotShards([{ shardId: "a", writes: 1, windowSeconds: 0 }], { threshold: 1 }),
    ).to.throw(
      "samples[0] (a) needs writes ≥ 0 and windowSeconds > 0, but got writes=1, windowSeconds=0",
    );
  });
});
