import xxhash, { type XXHashAPI } from "xxhash-wasm";
import { validateShardCount } from "./config";

/**
 * Stable placement of ids on shards: xxHash64 (seed 0) of the id's UTF-8 bytes, from
 * `xxhash-wasm`, mapped to a bucket with jump consistent hash (Lamping & Veach, 2014).
 *
 * `xxhash-wasm` compiles its WebAssembly asynchronously, so call {@link initSharding} once at
 * startup; the synchronous functions throw a clear error before that.
 *
 * Jump hash needs 64-bit arithmetic. BigInt is too slow for millions of ids per second, so the
 * key is kept as two unsigned 32-bit halves and the LCG step is done with 16-bit partial
 * products; the tests check it against a BigInt reference.
 */

let api: XXHashAPI | undefined;
let initializing: Promise<void> | undefined;

/** Loads xxHash64. Await it once before any shard function; later calls are free. */
export function initSharding(): Promise<void> {
  initializing ??= xxhash().then((loaded) => {
    api = loaded;
  });
  return initializing;
}

/** Whether {@link initSharding} has completed. */
export function isShardingReady(): boolean {
  return api !== undefined;
}

function hasher(): XXHashAPI {
  if (!api) {
    throw new Error(
      "sharding is not initialized: await initSharding() once at startup before calling a shard function",
    );
  }
  return api;
}

/** xxHash64, seed 0, of the UTF-8 bytes of `id`. */
export function xxh64(id: string): bigint {
  return hasher().h64(id);
}

const wide = new BigUint64Array(1);
const halves = new Uint32Array(wide.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

// The LCG multiplier 2862933555777941757 = 0x27BB2EE6_87B0B0FD, as 32-bit halves.
const M_HI = 0x27bb2ee6;
const M_LO = 0x87b0b0fd;

/**
 * High 32 bits of the 64-bit product of unsigned 32-bit `a` and {@link M_LO}. Splitting `a`
 * into 16-bit halves keeps both partial products below 2^49, exact in a double, and dividing by
 * 2^16 is exact too.
 */
function mulHiByMLo(a: number): number {
  const low = (a & 0xffff) * M_LO;
  const high = (a >>> 16) * M_LO;
  return Math.floor((high + Math.floor(low / 65536)) / 65536) >>> 0;
}

/**
 * Jump consistent hash of the 64-bit key `hi:lo` (unsigned halves) into `buckets` buckets.
 * `buckets` must already be a valid shard count.
 */
export function jumpHash(hi: number, lo: number, buckets: number): number {
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    // key = key * 2862933555777941757 + 1 (mod 2^64)
    const nextHi = (mulHiByMLo(lo) + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
    const nextLo = (Math.imul(lo, M_LO) + 1) >>> 0;
    hi = nextLo === 0 ? (nextHi + 1) >>> 0 : nextHi;
    lo = nextLo;
    j = Math.floor((b + 1) * (2147483648 / ((hi >>> 1) + 1)));
  }
  return b;
}

/** The shard number (0 … buckets-1) of `id`: jump hash of its xxHash64. */
export function shardIndex(id: string, buckets: number): number {
  wide[0] = hasher().h64(id);
  return jumpHash(halves[HI], halves[LO], buckets);
}

/** {@link shardIndex} with the bucket count validated; `name` names it in the error. */
export function checkedShardIndex(id: string, buckets: number, name = "buckets"): number {
  validateShardCount(name, buckets);
  if (typeof id !== "string") {
    throw new TypeError(`a shard key must be a string, but ${typeof id} was provided`);
  }
  return shardIndex(id, buckets);
}
