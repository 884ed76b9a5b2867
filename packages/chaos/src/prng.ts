// A small seeded PRNG (mulberry32): the same seed gives the same sequence on every machine, which
// is what makes schedules and simulated histories reproducible from their seed.

export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform integer in [lo, hi] (both inclusive). */
  between(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
}

export function mulberry32(seed: number): Prng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, between: (lo, hi) => lo + int(hi - lo + 1), pick: (xs) => xs[int(xs.length)] };
}
