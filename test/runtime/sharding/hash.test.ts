import { expect } from "chai";
import { initSharding, jumpHash, shardIndex, xxh64 } from "../../../runtime/sharding/hash";
import { referenceJump, referenceShard, referenceXxh64 } from "./reference";

/**
 * Golden vectors: id → shard for 100, 128 and 1000 shards. Each row is checked against the BigInt
 * reference in this folder and against the code under test, so a change of hash, seed, encoding
 * or jump step fails here.
 */
const GOLDEN: readonly [id: string, s100: number, s128: number, s1000: number][] = [
  ["alice", 31, 31, 605],
  ["bob", 52, 107, 735],
  ["user-1", 17, 17, 134],
  ["user-42", 93, 93, 93],
  ["u_0000001", 74, 74, 269],
  ["zoë", 9, 9, 764],
  ["用户", 48, 48, 179],
  ["a-very-long-user-identifier-that-exceeds-32-bytes-0001", 38, 38, 813],
  ["x", 0, 0, 664],
];

function randomKey(next: () => number): bigint {
  return (BigInt(next() >>> 0) << 32n) | BigInt(next() >>> 0);
}

/** Deterministic 32-bit generator (mulberry32) so failures reproduce. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

describe("sharding hash", () => {
  before(() => initSharding());

  it("the BigInt reference reproduces the published XXH64 test values", () => {
    expect(referenceXxh64("").toString(16)).to.equal("ef46db3751d8e999");
    expect(referenceXxh64("a").toString(16)).to.equal("d24ec4f1a98c6e5b");
    expect(referenceXxh64("abc").toString(16)).to.equal("44bc2cf5ad770999");
    expect(referenceXxh64("Nobody inspects the spammish repetition").toString(16)).to.equal(
      "fbcea83c8a378bf1",
    );
  });

  it("xxh64 equals the reference on ASCII, multi-byte UTF-8 and ids longer than 32 bytes", () => {
    for (const [id] of GOLDEN) expect(xxh64(id)).to.equal(referenceXxh64(id));
  });

  it("maps every golden id to its recorded shard for 100, 128 and 1000 shards", () => {
    for (const [id, s100, s128, s1000] of GOLDEN) {
      expect([
        referenceShard(id, 100),
        referenceShard(id, 128),
        referenceShard(id, 1000),
      ]).to.deep.equal([s100, s128, s1000], `reference for ${id}`);
      expect([shardIndex(id, 100), shardIndex(id, 128), shardIndex(id, 1000)]).to.deep.equal(
        [s100, s128, s1000],
        `shardIndex for ${id}`,
      );
    }
  });

  it("the 32-bit-halves jump hash equals the BigInt reference on 20,000 random 64-bit keys", () => {
    const next = mulberry32(7);
    const counts = [1, 2, 3, 100, 101, 128, 500, 1000, 10_000];
    for (let i = 0; i < 20_000; i++) {
      const key = randomKey(next);
      const hi = Number(key >> 32n);
      const lo = Number(key & 0xffffffffn);
      const n = counts[i % counts.length];
      expect(jumpHash(hi, lo, n)).to.equal(referenceJump(key, n), `key ${key} n ${n}`);
    }
  });

  it("handles the LCG carry when the low half wraps to zero", () => {
    // lo = -M⁻¹ mod 2^32 makes lo × M + 1 carry into the high half.
    const m = 0x87b0b0fdn;
    let inverse = 1n;
    for (let k = 0; k < 5; k++) inverse = (inverse * (2n - m * inverse)) & 0xffffffffn;
    const lo = Number((0xffffffffn * inverse) & 0xffffffffn);
    expect(Math.imul(lo, 0x87b0b0fd) >>> 0).to.equal(0xffffffff);
    for (const hi of [0, 1, 0x7fffffff, 0xffffffff]) {
      const key = (BigInt(hi) << 32n) | BigInt(lo);
      for (const n of [2, 1000, 10_000])
        expect(jumpHash(hi, lo, n)).to.equal(referenceJump(key, n));
    }
  });

  it("moves about 1/(n+1) of the keys from 100 to 101 shards, and only onto the new shard", () => {
    const total = 50_000;
    let moved = 0;
    for (let i = 0; i < total; i++) {
      const before = shardIndex(`user-${i}`, 100);
      const after = shardIndex(`user-${i}`, 101);
      if (before !== after) {
        moved++;
        expect(after).to.equal(100);
      }
    }
    expect(moved / total).to.be.closeTo(1 / 101, 0.0015);
  });
});
