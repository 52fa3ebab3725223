import { expect } from "chai";
import { randomUUID } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import { getFirestore } from "../../../runtime/firestore/client";
import { queryAllShards, ShardQueryError } from "../../../runtime/sharding";
import { useFirestore } from "../../support/services";

describe("queryAllShards (Firestore emulator)", function () {
  this.timeout(120_000);
  let db: Firestore;
  const prefix = `q${randomUUID().slice(0, 8)}`;
  const shardIds = Array.from({ length: 8 }, (_, i) => `user_shard_${String(i).padStart(3, "0")}`);
  const pattern = `${prefix}_{shard}`;
  const all: { id: string; score: number; kind: string; shardId: string }[] = [];

  before(async () => {
    await useFirestore();
    db = getFirestore();
    const batch = db.batch();
    for (let i = 0; i < 200; i++) {
      const shardId = shardIds[(i * 7) % shardIds.length];
      const doc = {
        id: `d${String(i).padStart(3, "0")}`,
        score: (i * 37) % 101,
        kind: i % 3 ? "a" : "b",
      };
      all.push({ ...doc, shardId });
      batch.set(db.collection(`${prefix}_${shardId}`).doc(doc.id), {
        score: doc.score,
        kind: doc.kind,
      });
    }
    await batch.commit();
  });

  const expected = (kind: string | undefined, dir: 1 | -1, limit: number) =>
    all
      .filter((d) => !kind || d.kind === kind)
      .sort((x, y) => dir * (x.score - y.score) || dir * x.id.localeCompare(y.id))
      .slice(0, limit)
      .map((d) => `${d.shardId}/${d.id}`);

  it("merges the shards in order and returns exactly limit documents", async () => {
    const res = await queryAllShards<{ score: number }>(
      db,
      pattern,
      { orderBy: "score", limit: 25 },
      { shardIds, concurrency: 3 },
    );
    expect(res.docs.map((d) => `${d.shardId}/${d.id}`)).to.deep.equal(expected(undefined, 1, 25));
    expect(res.docs[0].data.score).to.equal(0);
  });

  it("honours where filters and descending order", async () => {
    const res = await queryAllShards(
      db,
      pattern,
      { where: [["kind", "==", "b"]], orderBy: "score", direction: "desc", limit: 30 },
      { shardIds },
    );
    expect(res.docs.map((d) => `${d.shardId}/${d.id}`)).to.deep.equal(expected("b", -1, 30));
  });

  it("reads no more than limit plus one page per shard", async () => {
    const limit = 40;
    const pageSize = 10;
    const res = await queryAllShards(
      db,
      pattern,
      { orderBy: "score", limit },
      { shardIds, pageSize },
    );
    expect(res.docs).to.have.length(limit);
    expect(res.docsRead).to.be.at.most(limit + pageSize * shardIds.length);
    expect(res.docsRead).to.be.below(all.length);
  });

  it("reports every failed shard by id instead of returning partial data", async () => {
    const bad = [...shardIds, "x/y", "p/q"];
    const err = await queryAllShards(
      db,
      pattern,
      { orderBy: "score", limit: 5 },
      { shardIds: bad },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ShardQueryError);
    expect((err as ShardQueryError).shardIds.sort()).to.deep.equal(["p/q", "x/y"]);
    expect((err as ShardQueryError).message).to.match(/^2 of 10 shards failed: /);
  });

  it("rejects a pattern without {shard} and a non-positive limit", async () => {
    const e1 = await queryAllShards(
      db,
      "users",
      { orderBy: "score", limit: 1 },
      { shardIds },
    ).catch((e: Error) => e.message);
    expect(e1).to.equal('`collectionPattern` must contain {shard}, but "users" was provided');
    const e2 = await queryAllShards(
      db,
      pattern,
      { orderBy: "score", limit: 0 },
      { shardIds },
    ).catch((e: Error) => e.message);
    expect(e2).to.equal("`limit` must be a positive integer, but 0 was provided");
  });
});
