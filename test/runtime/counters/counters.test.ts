import { expect } from "chai";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import Redis from "ioredis";
import {
  Counters,
  counterDocId,
  HotCounter,
  ShardedCounter,
  WriteBehindFlusher,
} from "../../../runtime/counters";
import { getFirestore } from "../../../runtime/firestore/client";
import { useFirestore, useRedis } from "../../support/services";

const WRITERS = 50;
const PER_WRITER = 1000;

async function writers(fn: (writer: number, i: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; i < PER_WRITER; i++) await fn(w, i);
    }),
  );
}

describe("counters (Firestore emulator + redis-server)", function () {
  this.timeout(60_000);
  let db: Firestore;
  let redis: Redis;
  let port: number;
  const run = randomUUID().slice(0, 8);

  before(async () => {
    const [r] = await Promise.all([useRedis(), useFirestore()]);
    port = r.port;
    redis = new Redis({ port: r.port, host: r.host });
    redis.on("error", () => undefined);
    db = getFirestore();
  });
  after(() => redis.quit());

  it("50 concurrent writers × 1,000 increments reach exactly 50,000 on a sharded Firestore counter", async function () {
    this.timeout(400_000);
    const counter = new ShardedCounter(db, { collection: `ctr_${run}_sharded`, shards: 100 });
    await counter.create("likes:p1");
    expect(await counter.value("likes:p1")).to.equal(0);
    await writers(() => counter.increment("likes:p1"));
    expect(await counter.value("likes:p1")).to.equal(WRITERS * PER_WRITER);
    const shards = await db
      .collection(`ctr_${run}_sharded`)
      .doc(counterDocId("likes:p1"))
      .collection("shards")
      .get();
    expect(shards.size).to.equal(100);
  });

  it("50 concurrent writers × 1,000 Redis increments, written behind while running, reach exactly 50,000 in Firestore", async () => {
    const prefix = `t:${run}:hot1`;
    const collection = `ctr_${run}_hot1`;
    const hot = new HotCounter(redis, { prefix });
    const flusher = new WriteBehindFlusher(redis, db, { prefix, collection, intervalMillis: 20 });
    flusher.start();
    await writers((w) => hot.increment(w % 2 ? "views:a" : "views:b", 1));
    await flusher.stop();
    await flusher.flushAll();
    const a = await db.collection(collection).doc(counterDocId("views:a")).get();
    const b = await db.collection(collection).doc(counterDocId("views:b")).get();
    expect(a.get("count") + b.get("count")).to.equal(WRITERS * PER_WRITER);
    expect(a.get("count")).to.equal((WRITERS / 2) * PER_WRITER);
    expect(await flusher.value("views:a")).to.equal(25_000);
    expect(await redis.scard(`${prefix}:dirty`)).to.equal(0);
  });

  it("coalesces a turn's increments to one key into one Redis call and resolves every caller", async () => {
    const prefix = `t:${run}:coalesce`;
    const own = new Redis({ port, host: "127.0.0.1" });
    const sent: string[] = [];
    const send = own.sendCommand.bind(own);
    own.sendCommand = (command, stream) => {
      sent.push(command.name);
      return send(command, stream);
    };
    const hot = new HotCounter(own, { prefix, coalesceWindowMillis: 5 });
    await hot.increment("likes:warm-up");
    sent.length = 0;
    await Promise.all([
      ...Array.from({ length: 500 }, () => hot.increment("likes:x", 2)),
      hot.increment("likes:y", -1),
    ]);
    expect(sent).to.deep.equal(["evalsha"]);
    expect(await redis.get(`${prefix}:p:likes:x`)).to.equal("1000");
    expect(await redis.get(`${prefix}:p:likes:y`)).to.equal("-1");
    expect(await redis.smembers(`${prefix}:dirty`)).to.have.members([
      "likes:warm-up",
      "likes:x",
      "likes:y",
    ]);
    await own.quit();
  });

  for (const crashPoint of ["afterClaim", "afterApply"] as const) {
    it(`loses and doubles nothing when the flusher crashes ${crashPoint === "afterClaim" ? "after claiming in Redis" : "after writing Firestore"} and restarts`, async () => {
      const prefix = `t:${run}:${crashPoint}`;
      const collection = `ctr_${run}_${crashPoint}`;
      const hot = new HotCounter(redis, { prefix });
      await Promise.all(Array.from({ length: 300 }, (_, i) => hot.increment(`likes:k${i % 3}`, 1)));
      const crashing = new WriteBehindFlusher(redis, db, {
        prefix,
        collection,
        concurrency: 1,
        hooks: {
          [crashPoint]: () => {
            throw new Error("crash");
          },
        },
      });
      await crashing.flushOnce().then(
        () => expect.fail("the crash hook should have stopped the flush"),
        (e: Error) => expect(e.message).to.equal("crash"),
      );
      await hot.increment("likes:k0", 7);
      await new WriteBehindFlusher(redis, db, { prefix, collection }).flushAll();
      const counts = await Promise.all(
        ["likes:k0", "likes:k1", "likes:k2"].map(async (id) =>
          (await db.collection(collection).doc(counterDocId(id)).get()).get("count"),
        ),
      );
      expect(counts).to.deep.equal([107, 100, 100]);
    });
  }

  it("is exact after the flusher process is SIGKILLed between the Firestore write and the Redis ack", async () => {
    const prefix = `t:${run}:sigkill`;
    const collection = `ctr_${run}_sigkill`;
    const hot = new HotCounter(redis, { prefix });
    await Promise.all(Array.from({ length: 1000 }, () => hot.increment("views:v", 1)));
    const child = spawn(
      process.execPath,
      ["-r", "tsx/cjs", "test/runtime/counters/flusher-child.ts", String(port), prefix, collection],
      { stdio: ["ignore", "pipe", "inherit"], env: process.env },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("applied") && resolve());
      child.once("exit", (code) => reject(new Error(`child exited early with ${code}`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(await redis.exists(`${prefix}:f:views:v`)).to.equal(1);
    expect(
      (await db.collection(collection).doc(counterDocId("views:v")).get()).get("count"),
    ).to.equal(1000);
    const flusher = new WriteBehindFlusher(redis, db, { prefix, collection });
    await flusher.flushAll();
    expect(
      (await db.collection(collection).doc(counterDocId("views:v")).get()).get("count"),
    ).to.equal(1000);
    expect(await flusher.value("views:v")).to.equal(1000);
    expect(await redis.exists(`${prefix}:f:views:v`)).to.equal(0);
  });

  it("routes each counter kind to its store from the one kind table", async () => {
    const counters = new Counters({
      db,
      redis,
      region: `eu-west-${run}`,
      collectionPrefix: `ctr_${run}_facade`,
    });
    await counters.increment("likes", "post/1", 3);
    await counters.increment("followers", "u1", 2);
    expect(await counters.value("likes", "post/1")).to.equal(3);
    expect(await counters.value("followers", "u1")).to.equal(2);
    expect(await redis.get(`avalo:eu-west-${run}:ctr:p:likes:post/1`)).to.equal("3");
    const followerShards = await db
      .collection(`ctr_${run}_facade_followers`)
      .doc(counterDocId("followers:u1"))
      .collection("shards")
      .get();
    expect(followerShards.size).to.equal(1);
    await counters.flusher.flushAll();
    expect(
      (await db.collection(`ctr_${run}_facade_hot`).doc(counterDocId("likes:post/1")).get()).get(
        "count",
      ),
    ).to.equal(3);
    expect(() => counters.increment("claps" as never, "x")).to.throw(
      'counter kind "claps" is unknown; known kinds: likes, views, followers, matches',
    );
  });
});
