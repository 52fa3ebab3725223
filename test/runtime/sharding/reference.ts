/**
 * Independent BigInt reference implementations of xxHash64 (from the XXH64 specification) and
 * jump consistent hash (Lamping & Veach, 2014), written plainly for tests to compare against.
 */

const MASK = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & MASK;
const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;
const add = (a: bigint, b: bigint): bigint => (a + b) & MASK;

function read64(b: Uint8Array, i: number): bigint {
  let v = 0n;
  for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(b[i + k]);
  return v;
}

function read32(b: Uint8Array, i: number): bigint {
  return BigInt(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + (BigInt(b[i + 3]) << 24n);
}

function round(acc: bigint, input: bigint): bigint {
  return mul(rotl(add(acc, mul(input, P2)), 31n), P1);
}

function mergeRound(acc: bigint, val: bigint): bigint {
  return add(mul(acc ^ round(0n, val), P1), P4);
}

/** xxHash64 of the UTF-8 bytes of `text`, seed 0. */
export function referenceXxh64(text: string, seed = 0n): bigint {
  const b = new TextEncoder().encode(text);
  const len = b.length;
  let i = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = add(add(seed, P1), P2);
    let v2 = add(seed, P2);
    let v3 = seed;
    let v4 = (seed - P1) & MASK;
    for (; i + 32 <= len; i += 32) {
      v1 = round(v1, read64(b, i));
      v2 = round(v2, read64(b, i + 8));
      v3 = round(v3, read64(b, i + 16));
      v4 = round(v4, read64(b, i + 24));
    }
    h = add(add(rotl(v1, 1n), rotl(v2, 7n)), add(rotl(v3, 12n), rotl(v4, 18n)));
    for (const v of [v1, v2, v3, v4]) h = mergeRound(h, v);
  } else {
    h = add(seed, P5);
  }
  h = add(h, BigInt(len));
  for (; i + 8 <= len; i += 8) h = add(mul(rotl(h ^ round(0n, read64(b, i)), 27n), P1), P4);
  if (i + 4 <= len) {
    h = add(mul(rotl(h ^ mul(read32(b, i), P1), 23n), P2), P3);
    i += 4;
  }
  for (; i < len; i++) h = mul(rotl(h ^ mul(BigInt(b[i]), P5), 11n), P1);
  h = mul(h ^ (h >> 33n), P2);
  h = mul(h ^ (h >> 29n), P3);
  return h ^ (h >> 32n);
}

/** Jump consistent hash, exactly as in the paper's C++ listing, with BigInt for int64. */
export function referenceJump(key: bigint, buckets: number): number {
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    key = (key * 2862933555777941757n + 1n) & MASK;
    j = Math.floor((b + 1) * (Number(1n << 31n) / Number((key >> 33n) + 1n)));
  }
  return b;
}

/** The reference shard of an id. */
export function referenceShard(id: string, buckets: number): number {
  return referenceJump(referenceXxh64(id), buckets);
}
