// Injectable random sources for every random decision in routing and load balancing (weighted
// splits, runtime fractions, P2C choices, RR start offsets). Tests pass a seeded `mulberry32`.

/** A source of uniform doubles in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/** The default random source: `Math.random`. */
export const defaultRandom: RandomSource = Math.random;

/**
 * A small, fast seeded PRNG (mulberry32, public domain, 32-bit state). Deterministic for a given
 * seed, which is what tests need; not for cryptography.
 */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n) drawn from `random` (n ≥ 1). */
export function randomInt(random: RandomSource, n: number): number {
  return Math.floor(random() * n);
}
