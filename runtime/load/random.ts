import { randomInt } from "node:crypto";

/**
 * A seeded PRNG (mulberry32: 32-bit state, uniform doubles in [0, 1)). Not cryptographic; it
 * makes the sequence of virtual users and operations reproducible from the printed seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A fresh seed (an unsigned 32-bit integer) for a run that was not given one. */
export function newSeed(): number {
  return randomInt(0, 2 ** 32 - 1);
}
