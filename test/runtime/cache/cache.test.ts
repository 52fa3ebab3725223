import { expect } from "chai";
import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { ReadThroughCache, RequestRateLimiter } from "../../../runtime/cache";
import { startRedis } from "../../../runtime/local/processes";
import { connectRedis } from "../../../runtime/redis/connection";
import { RedisDegradedMetrics } from "../../../runtime/redis/metrics";
import { useRedis } from "../../support/services";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("read-through cache and rate limiting (redis-server)", function () {
  this.timeout(30_000);
  let redis: Redis;
  const region = `r${randomUUID().slice(0, 8)}`;

  before(async () => {
    const r = await useRedis();
    redis = connectRedis({ port: r.port });
  });
  after(() => redis.quit());

  function cache<T>(
    source: Map<string, T>,
    extra: Partial<ConstructorParameters<typeof ReadThroughCache<T>>[0]> = {},
  ) {
    const loads: string[] = [];
    const c = new ReadThroughCache<T>({
      redis,
      region,
      namespace: `ns${randomUUID().slice(0, 6)}`,
      load: async (key) => {
        loads.push(key);
        await sleep(20);
        return source.get(key);
      },
      ...extra,
    });
    return { c, loads };
  }

  it("serves a thundering herd of 1,000 concurrent reads of one key with exactly one load", async () => {
    const { c, loads } = cache(new Map([["p1", { name: "Ada" }]]));
    const results = await Promise.all(Array.from({ length: 1000 }, () => c.get("p1")));
    expect(loads).to.deep.equal(["p1"]);
    expect(results.every((r) => r?.name === "Ada")).to.equal(true);
    expect(await c.get("p1")).to.deep.equal({ name: "Ada" });
    expect(loads).to.have.length(1);
  });

  it("stores values with the TTL plus jitter, and missing entities with the negative TTL", async () => {
    const { c, loads } = cache(new Map([["a", 1]]), {
      ttlSeconds: 100,
      jitterRatio: 0.1,
      negativeTtlSeconds: 7,
      random: () => 0.5,
    });
    expect(c.ttlFor(false)).to.equal(105_000);
    await c.get("a");
    const pttl = await redis.pttl(c.valueKey("a"));
    expect(pttl).to.be.within(104_000, 105_000);
    expect(await c.get("missing")).to.equal(undefined);
    expect(await c.get("missing")).to.equal(undefined);
    expect(loads).to.deep.equal(["a", "missing"]);
    expect(await redis.get(c.valueKey("missing"))).to.equal("-");
    expect(await redis.pttl(c.valueKey("missing"))).to.be.within(6_000, 7_000);
  });

  it("namespaces keys by region", async () => {
    const { c } = cache(new Map([["k", 1]]));
    expect(c.valueKey("k")).to.match(new RegExp(`^avalo:${region}:cache:ns[0-9a-f]{6}:k$`));
  });

  it("invalidates on write, and a load that started before the write cannot store its stale value", async () => {
    const source = new Map([["u", "old"]]);
    const { c, loads } = cache(source);
    expect(await c.get("u")).to.equal("old");
    const stale = c.get("u-slow");
    source.set("u-slow", "v1");
    await c.write("u", async () => source.set("u", "new"));
    expect(await c.get("u")).to.equal("new");
    expect(loads).to.deep.equal(["u", "u-slow", "u"]);

    // A slow load reads "v1", the write lands meanwhile; the stale "v1" must not be cached.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = new ReadThroughCache<string>({
      redis,
      region,
      namespace: "fence",
      load: async (key) => {
        const value = source.get(key);
        await gate;
        return value;
      },
    });
    await slow.invalidate("f");
    source.set("f", "v1");
    const first = slow.get("f");
    await sleep(20);
    await slow.write("f", async () => source.set("f", "v2"));
    release();
    expect(await first).to.equal("v1");
    expect(await redis.get(slow.valueKey("f"))).to.equal(null);
    expect(await slow.get("f")).to.equal("v2");
    await stale;
  });

  it("limits requests per route and per user, with the reset time of the refusing budget", async () => {
    const limiter = new RequestRateLimiter({
      redis,
      region,
      perUser: { points: 5, durationSeconds: 60 },
      routes: { "POST /likes": { points: 3, durationSeconds: 60 } },
      defaultRoute: { points: 100, durationSeconds: 60 },
    });
    const user = `u${randomUUID().slice(0, 6)}`;
    const likes = [];
    for (let i = 0; i < 4; i++) likes.push(await limiter.consume(user, "POST /likes"));
    expect(likes.map((d) => d.allowed)).to.deep.equal([true, true, true, false]);
    expect(likes[3].limitedBy).to.equal("route");
    expect(likes[3].retryAfterMillis).to.be.within(59_000, 60_000);
    expect(likes[3].degraded).to.equal(false);
    expect((await limiter.consume(user, "GET /feed")).allowed).to.equal(true);
    const sixth = await limiter.consume(user, "GET /feed");
    expect([sixth.allowed, sixth.limitedBy]).to.deep.equal([false, "user"]);
    expect((await limiter.consume(`${user}-other`, "POST /likes")).allowed).to.equal(true);
    expect(
      () =>
        new RequestRateLimiter({
          redis,
          region,
          perUser: { points: 0, durationSeconds: 1 },
          defaultRoute: { points: 1, durationSeconds: 1 },
        }),
    ).to.throw("`perUser.points` must be a positive integer, but 0 was provided");
  });

  it("degrades to the source of truth and counts it when Redis goes down, without throwing", async () => {
    const own = await startRedis();
    const client = connectRedis({ port: own.port, commandTimeoutMillis: 200 });
    const metrics = new RedisDegradedMetrics();
    const source = new Map([["p", "profile"]]);
    let loads = 0;
    const c = new ReadThroughCache<string>({
      redis: client,
      region,
      namespace: "outage",
      metrics,
      load: async (key) => {
        loads++;
        return source.get(key);
      },
    });
    const limiter = new RequestRateLimiter({
      redis: client,
      region,
      perUser: { points: 2, durationSeconds: 60 },
      defaultRoute: { points: 2, durationSeconds: 60 },
      metrics,
    });
    try {
      expect(await c.get("p")).to.equal("profile");
      expect(await c.get("p")).to.equal("profile");
      expect(loads).to.equal(1);
      await own.stop();
      const started = Date.now();
      expect(await c.get("p")).to.equal("profile");
      expect(await c.get("p")).to.equal("profile");
      expect(Date.now() - started).to.be.below(5_000);
      expect(loads).to.equal(3);
      const written = await c.write("p", async () => {
        source.set("p", "edited");
        return "saved";
      });
      expect(written).to.equal("saved");
      expect(await c.get("p")).to.equal("edited");
      const decision = await limiter.consume("u", "GET /x");
      expect([decision.allowed, decision.degraded]).to.deep.equal([true, true]);
      const snap = metrics.snapshot();
      expect(snap.fallbacks["cache.get"]).to.equal(3);
      expect(snap.failures["cache.invalidate"]).to.equal(1);
      expect(snap.fallbacks["ratelimit.consume"]).to.equal(2);
    } finally {
      client.disconnect();
      await own.stop();
    }
  });
});
