/**
 * A two-sample Maximum Mean Discrepancy drift test (Gretton, Borgwardt, Rasch, Schölkopf & Smola
 * 2012, "A Kernel Two-Sample Test") on a stream of inputs (feature vectors or numbers). The first
 * `windowSize` values form the reference window X; the values after them fill a recent window Y
 * of the same size, which then slides. Every `checkEvery` updates with both full, the unbiased
 * statistic
 *
 *   MMD²_u = 1/(n(n-1)) Σ_{i≠j} k(x_i, x_j) + 1/(m(m-1)) Σ_{i≠j} k(y_i, y_j) - 2/(nm) Σ_{i,j} k(x_i, y_j)
 *
 * with the Gaussian kernel k(a, b) = exp(-|a - b|² / (2h²)), h the median distance between
 * reference points (the median heuristic, set whenever the reference changes), is compared with
 * its value under `permutations` seeded random relabellings of the pooled X ∪ Y: the p-value is
 * (1 + #{permuted >= observed}) / (1 + permutations), a drift when it is below `alpha`; the recent
 * window then becomes the reference and a new one starts filling.
 *
 * Cost per check: O(N · c · d) to bring the kernel matrix of the N = 2 · windowSize pooled points up
 * to date for the c = checkEvery new points (O(N² · d) after the reference changes), then
 * O(windowSize²) per permutation. The permutations stop as soon as enough of them reach the observed value
 * for p to be at least alpha (the decision is then known), so on a stream without drift a check
 * takes a few permutations, not all of them; `pValue` is then a lower bound (>= alpha) of the p-value
 * all permutations would give.
 */
import { z } from 'zod';
import { createRng, type Rng } from '../core/random.js';
import {
  DetectorStateReader,
  detectorOptions,
  featureVector,
  type DriftDetector,
  type DriftDetectorState,
  type DriftInput,
} from './detector.js';

export const mmdOptions = z
  .strictObject({
    windowSize: z.int().min(5).default(50).describe('values in the reference window and in the recent one'),
    alpha: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.002)
      .describe('a drift when the permutation p-value is below alpha'),
    permutations: z.int().positive().default(1000).describe('random relabellings in the permutation test'),
    checkEvery: z
      .int()
      .positive()
      .default(10)
      .describe('a test every `checkEvery` updates (both windows full)'),
    seed: z.int().default(0).describe('seed of the permutations'),
  })
  .refine((o) => o.alpha > 1 / (o.permutations + 1), {
    path: ['alpha'],
    message: 'expected a number above 1 / (permutations + 1), the smallest p-value the permutations can give',
  });

export type MmdOptions = z.input<typeof mmdOptions>;

export class MmdDetector implements DriftDetector<DriftInput> {
  readonly name = 'mmd';
  readonly options: Readonly<z.output<typeof mmdOptions>>;
  private rng: Rng;
  private dims: number | undefined;
  /** The pooled points: rows 0..n-1 the reference, rows n..2n-1 the recent window (a ring from `head`). */
  private points = new Float64Array(0);
  private refCount = 0;
  private recentCount = 0;
  private head = 0;
  private sinceCheck: number;
  /** 1 / (2h²) of the kernel. */
  private gamma = 1;
  /** The pooled kernel matrix (symmetric); `stale` until computed for the current reference. */
  private kernel = new Float64Array(0);
  private stale = true;
  /** Recent slots written since the last test (their kernel rows are out of date). */
  private dirty = new Uint8Array(0);
  private rowSums = new Float64Array(0);
  private order = new Int32Array(0);
  private drift = false;
  private stat = 0;
  private p = 1;
  private runs = 0;

  constructor(options: MmdOptions = {}) {
    this.options = detectorOptions(mmdOptions, options);
    this.rng = createRng(this.options.seed);
    this.sinceCheck = this.options.checkEvery - 1;
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  /** The MMD test has no warning zone: always false. */
  get warningDetected(): boolean {
    return false;
  }

  /** MMD²_u of the last test (0 until a test ran). */
  get statistic(): number {
    return this.stat;
  }

  /** The p-value of the last test (1 until a test ran); a lower bound, >= alpha, when the permutations stopped early. */
  get pValue(): number {
    return this.p;
  }

  /** Permutations the last test ran. */
  get permutationsRun(): number {
    return this.runs;
  }

  /** The kernel bandwidth h (the median distance in the reference window; NaN until it is full). */
  get bandwidth(): number {
    return this.refCount === this.options.windowSize ? Math.sqrt(1 / (2 * this.gamma)) : NaN;
  }

  /** Number of features (undefined before the first value). */
  get features(): number | undefined {
    return this.dims;
  }

  update(value: DriftInput): void {
    const x = featureVector('MmdDetector', value, this.dims);
    this.drift = false;
    const n = this.options.windowSize;
    if (this.dims === undefined) {
      this.dims = x.length;
      this.points = new Float64Array(2 * n * x.length);
      this.kernel = new Float64Array(4 * n * n);
      this.rowSums = new Float64Array(2 * n);
      this.order = new Int32Array(2 * n);
      this.dirty = new Uint8Array(n);
    }
    const dims = this.dims;
    if (this.refCount < n) {
      for (let f = 0; f < dims; f++) this.points[this.refCount * dims + f] = x[f];
      this.refCount++;
      if (this.refCount === n) this.setBandwidth();
      return;
    }
    const row = n + this.head;
    for (let f = 0; f < dims; f++) this.points[row * dims + f] = x[f];
    this.dirty[this.head] = 1;
    this.head = (this.head + 1) % n;
    if (this.recentCount < n) this.recentCount++;
    if (this.recentCount < n) return;
    if (++this.sinceCheck < this.options.checkEvery) return;
    this.sinceCheck = 0;
    this.test();
  }

  reset(): void {
    this.rng = createRng(this.options.seed);
    this.dims = undefined;
    this.points = new Float64Array(0);
    this.kernel = new Float64Array(0);
    this.rowSums = new Float64Array(0);
    this.order = new Int32Array(0);
    this.dirty = new Uint8Array(0);
    this.stale = true;
    this.refCount = 0;
    this.recentCount = 0;
    this.head = 0;
    // The first test comes right when the recent window is full, then every checkEvery updates.
    this.sinceCheck = this.options.checkEvery - 1;
    this.gamma = 1;
    this.drift = false;
    this.stat = 0;
    this.p = 1;
    this.runs = 0;
  }

  /**
   * The permutations' generator state, the pooled points (row-major, `2 · windowSize` rows once the
   * first value fixed the features; none before), the windows' counters, the kernel's 1 / (2h²)
   * and the last test's result. The kernel matrix is not saved: it is a cache of the points, rebuilt
   * in full by the first test after a restore (the same values the incremental updates give).
   */
  state(): DriftDetectorState<'mmd'> {
    return {
      name: this.name,
      options: { ...this.options },
      rng: this.rng.state(),
      features: this.dims ?? null,
      points: Array.from(this.points),
      refCount: this.refCount,
      recentCount: this.recentCount,
      head: this.head,
      sinceCheck: this.sinceCheck,
      gamma: this.gamma,
      drift: this.drift,
      statistic: this.stat,
      pValue: this.p,
      permutationsRun: this.runs,
    };
  }

  restore(state: DriftDetectorState): void {
    const read = new DetectorStateReader('MmdDetector', this.name, this.options, state);
    const { windowSize: n, checkEvery, permutations } = this.options;
    const rng = read.integer('rng', 0, 0xffffffff);
    const dims = read.integerOrNone('features', 1);
    const values = {
      points: read.numbers('points', dims === undefined ? 0 : 2 * n * dims),
      refCount: dims === undefined ? read.integer('refCount', 0, 0) : read.integer('refCount', 1, n),
      recentCount: read.integer('recentCount', 0, n),
      head: read.integer('head', 0, n - 1),
      sinceCheck: read.integer('sinceCheck', 0, checkEvery - 1),
      gamma: read.number('gamma'),
      drift: read.boolean('drift'),
      statistic: read.number('statistic'),
      pValue: read.number('pValue'),
      permutationsRun: read.integer('permutationsRun', 0, permutations),
    };
    if (values.recentCount > 0 && values.refCount < n) {
      read.fail(
        'recentCount',
        `expected 0 while the reference is not full (refCount ${values.refCount}), got ${values.recentCount}`,
      );
    }
    if (!(values.gamma > 0)) read.fail('gamma', `expected a positive number, got ${values.gamma}`);
    this.rng = createRng(rng);
    this.dims = dims;
    this.points = Float64Array.from(values.points);
    const size = dims === undefined ? 0 : 2 * n;
    this.kernel = new Float64Array(size * size);
    this.rowSums = new Float64Array(size);
    this.order = new Int32Array(size);
    this.dirty = new Uint8Array(dims === undefined ? 0 : n);
    this.stale = true;
    this.refCount = values.refCount;
    this.recentCount = values.recentCount;
    this.head = values.head;
    this.sinceCheck = values.sinceCheck;
    this.gamma = values.gamma;
    this.drift = values.drift;
    this.stat = values.statistic;
    this.p = values.pValue;
    this.runs = values.permutationsRun;
  }

  private setBandwidth(): void {
    const n = this.options.windowSize;
    const distances = new Float64Array((n * (n - 1)) / 2);
    let k = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) distances[k++] = this.squaredDistance(i, j);
    distances.sort();
    const half = distances.length >> 1;
    const median = distances.length % 2 ? distances[half] : (distances[half - 1] + distances[half]) / 2;
    // Identical reference points have no scale of their own: take h = 1.
    this.gamma = median > 0 ? 1 / (2 * median) : 0.5;
    this.stale = true;
  }

  private squaredDistance(i: number, j: number): number {
    const dims = this.dims as number;
    let s = 0;
    for (let f = 0; f < dims; f++) {
      const t = this.points[i * dims + f] - this.points[j * dims + f];
      s += t * t;
    }
    return s;
  }

  private test(): void {
    const { windowSize: n, permutations, alpha } = this.options;
    const size = 2 * n;
    const K = this.kernel;
    const entry = (i: number, j: number) => {
      const k = Math.exp(-this.gamma * this.squaredDistance(i, j));
      K[i * size + j] = k;
      K[j * size + i] = k;
    };
    if (this.stale) {
      for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) entry(i, j);
      this.stale = false;
    } else {
      // Only the rows of the recent points that arrived since the last test changed.
      for (let slot = 0; slot < n; slot++) {
        if (!this.dirty[slot]) continue;
        const r = n + slot;
        for (let j = 0; j < size; j++) if (j !== r) entry(r, j);
      }
    }
    this.dirty.fill(0);
    const rowSums = this.rowSums;
    let total = 0;
    for (let i = 0; i < size; i++) {
      let sum = 0;
      for (let j = 0; j < size; j++) if (j !== i) sum += K[i * size + j];
      rowSums[i] = sum;
      total += sum;
    }
    // The second sample is the first n entries of `order`: the recent window, then random subsets.
    const order = this.order;
    for (let i = 0; i < size; i++) order[i] = (i + n) % size;
    const observed = mmd2(K, rowSums, total / 2, order, n);
    // p = (1 + count) / (1 + permutations) < alpha needs count < limit; at limit the test is decided.
    const limit = alpha * (permutations + 1) - 1;
    let count = 0;
    let runs = 0;
    while (runs < permutations && count < limit) {
      // A uniform random n-subset of the pooled points (a partial Fisher-Yates shuffle).
      for (let i = 0; i < n; i++) {
        const j = i + this.rng.int(size - i);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      if (mmd2(K, rowSums, total / 2, order, n) >= observed) count++;
      runs++;
    }
    this.stat = observed;
    this.runs = runs;
    this.p = (1 + count) / (1 + permutations);
    if (this.p < alpha) {
      this.drift = true;
      // The recent window (in arrival order) becomes the reference.
      const dims = this.dims as number;
      const recent = this.points.slice(n * dims);
      const start = this.head * dims;
      this.points.set(recent.subarray(start), 0);
      this.points.set(recent.subarray(0, start), recent.length - start);
      this.recentCount = 0;
      this.head = 0;
      this.sinceCheck = this.options.checkEvery - 1;
      this.setBandwidth();
    }
  }
}

/**
 * MMD²_u between the pooled points `ys` = order[0..m) and the others, from the symmetric kernel
 * matrix K (size × size, diagonal unused), its row sums without the diagonal and `upper`, the
 * sum of its upper triangle: with yy the sum over pairs within ys, the cross sum is
 * Σ_{i∈ys} rowSums[i] - 2 yy and the sum within the others what remains of `upper`; O(m²).
 */
function mmd2(K: Float64Array, rowSums: Float64Array, upper: number, order: Int32Array, m: number): number {
  const size = order.length;
  const n = size - m;
  let yy = 0;
  let ys = 0;
  for (let a = 0; a < m; a++) {
    const i = order[a];
    ys += rowSums[i];
    const row = i * size;
    for (let b = a + 1; b < m; b++) yy += K[row + order[b]];
  }
  const xy = ys - 2 * yy;
  const xx = upper - yy - xy;
  return (2 * xx) / (n * (n - 1)) + (2 * yy) / (m * (m - 1)) - (2 * xy) / (n * m);
}
