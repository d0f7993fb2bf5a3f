/**
 * Seeded random numbers: every random choice in unforget (class orders, permutations,
 * sub-sampling, synthetic data) comes from one of these, so a seed fixes a run.
 * The generator is SplitMix32-style mixing over a 32-bit counter: small, fast, and with
 * independent streams per seed. Its state is one 32-bit counter, and seeding sets that counter, so a
 * generator resumes from a checkpoint as `createRng(saved.state())`.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array;
  /** An independent generator derived from this one (for a sub-task that must not shift later draws). */
  fork(): Rng;
  /**
   * The generator's whole state, a uint32: `createRng(rng.state())` continues exactly where this
   * one is (what a checkpoint saves).
   */
  state(): number;
}

export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`seed: expected an integer, got ${seed}`);
  let state = seed >>> 0;
  const nextUint32 = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const rng: Rng = {
    next: () => nextUint32() / 4294967296,
    int: (n) => Math.floor(rng.next() * n),
    normal: () => {
      const u = 1 - rng.next(); // (0, 1]: log(0) never happens
      const v = rng.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
    permutation: (n) => {
      const p = Int32Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = p[i];
        p[i] = p[j];
        p[j] = t;
      }
      return p;
    },
    fork: () => createRng(nextUint32()),
    state: () => state,
  };
  return rng;
}
