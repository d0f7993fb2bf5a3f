/**
 * A two-sample Kolmogorov–Smirnov drift test on a stream of inputs (numbers or feature vectors).
 * The first `windowSize` values form the reference window; the values after them fill a recent
 * window of the same size, which then slides (each update drops its oldest value). After every
 * update with both windows full, each feature's KS statistic D = sup |F_ref - F_recent| is
 * turned into a p-value by the asymptotic Kolmogorov distribution, Q_KS(lambda) =
 * 2 Σ_{k>=1} (-1)^{k-1} e^{-2 k² lambda²}, at lambda = √n_e · D with the effective size
 * n_e = n·m/(n+m) (for n = m = 100 it is within 12% of the exact p-value down to p = 1e-4, a
 * little above it, where Stephens' one-sample correction would undershoot it). With d features the
 * smallest p-value is compared with alpha / d (Bonferroni); below it, a drift: the recent window
 * becomes the reference and a new recent window starts filling.
 *
 * Cost: O(windowSize · d) memory, O(windowSize · d) time per update (each feature's recent window
 * is kept sorted, one insertion and one removal per update).
 */
import { z } from 'zod';
import {
  DetectorStateReader,
  detectorOptions,
  featureVector,
  type DriftDetector,
  type DriftDetectorState,
  type DriftInput,
} from './detector.js';

export const ksOptions = z.strictObject({
  windowSize: z.int().min(10).default(100).describe('values in the reference window and in the recent one'),
  alpha: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.001)
    .describe('a drift when the smallest p-value is below alpha / features (tested after every update)'),
});

export type KsOptions = z.input<typeof ksOptions>;

export class KsDetector implements DriftDetector<DriftInput> {
  readonly name = 'ks';
  readonly options: Readonly<z.output<typeof ksOptions>>;
  private dims: number | undefined;
  /** Per feature: the reference window, sorted once full (filled to `refCount` before that). */
  private reference: Float64Array[] = [];
  private refCount = 0;
  /** Per feature: the recent window in arrival order (a ring from `head`) and sorted. */
  private recent: Float64Array[] = [];
  private recentSorted: Float64Array[] = [];
  private recentCount = 0;
  private head = 0;
  private drift = false;
  private d = 0;
  private p = 1;
  private worst = -1;

  constructor(options: KsOptions = {}) {
    this.options = detectorOptions(ksOptions, options);
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  /** The KS test has no warning zone: always false. */
  get warningDetected(): boolean {
    return false;
  }

  /** The smallest p-value of the last test, before the Bonferroni correction (1 until a test ran). */
  get pValue(): number {
    return this.p;
  }

  /** The KS statistic D of the feature with that p-value (0 until a test ran). */
  get statistic(): number {
    return this.d;
  }

  /** The feature with the smallest p-value in the last test (-1 until a test ran). */
  get feature(): number {
    return this.worst;
  }

  /** Number of features (undefined before the first value). */
  get features(): number | undefined {
    return this.dims;
  }

  update(value: DriftInput): void {
    const x = featureVector('KsDetector', value, this.dims);
    this.drift = false;
    const n = this.options.windowSize;
    if (this.dims === undefined) this.allocate(x.length);
    if (this.refCount < n) {
      for (let f = 0; f < x.length; f++) this.reference[f][this.refCount] = x[f];
      this.refCount++;
      if (this.refCount === n) this.reference.forEach((r) => r.sort());
      return;
    }
    const full = this.recentCount === n;
    for (let f = 0; f < x.length; f++) {
      const sorted = this.recentSorted[f];
      if (full) {
        removeSorted(sorted, n, this.recent[f][this.head]);
        insertSorted(sorted, n - 1, x[f]);
      } else {
        insertSorted(sorted, this.recentCount, x[f]);
      }
      this.recent[f][this.head] = x[f];
    }
    this.head = (this.head + 1) % n;
    if (!full) this.recentCount++;
    if (this.recentCount < n) return;
    this.test();
  }

  reset(): void {
    this.dims = undefined;
    this.reference = [];
    this.recent = [];
    this.recentSorted = [];
    this.refCount = 0;
    this.recentCount = 0;
    this.head = 0;
    this.drift = false;
    this.d = 0;
    this.p = 1;
    this.worst = -1;
  }

  /**
   * The windows per feature as lists (`reference[f]`, the recent window in arrival order from
   * `head`, and sorted), their fill counts and the last test's result; `features` null before the
   * first value.
   */
  state(): DriftDetectorState<'ks'> {
    return {
      name: this.name,
      options: { ...this.options },
      features: this.dims ?? null,
      reference: this.reference.map((r) => Array.from(r)),
      refCount: this.refCount,
      recent: this.recent.map((r) => Array.from(r)),
      recentSorted: this.recentSorted.map((r) => Array.from(r)),
      recentCount: this.recentCount,
      head: this.head,
      drift: this.drift,
      statistic: this.d,
      pValue: this.p,
      feature: this.worst,
    };
  }

  restore(state: DriftDetectorState): void {
    const read = new DetectorStateReader('KsDetector', this.name, this.options, state);
    const n = this.options.windowSize;
    const dims = read.integerOrNone('features', 1);
    const rows = dims ?? 0;
    const values = {
      reference: read.numberRows('reference', rows, n),
      refCount: dims === undefined ? read.integer('refCount', 0, 0) : read.integer('refCount', 1, n),
      recent: read.numberRows('recent', rows, n),
      recentSorted: read.numberRows('recentSorted', rows, n),
      recentCount: read.integer('recentCount', 0, n),
      head: read.integer('head', 0, n - 1),
      drift: read.boolean('drift'),
      statistic: read.number('statistic'),
      pValue: read.number('pValue'),
      feature: read.integer('feature', -1, Math.max(rows - 1, -1)),
    };
    if (values.recentCount > 0 && values.refCount < n) {
      read.fail(
        'recentCount',
        `expected 0 while the reference is not full (refCount ${values.refCount}), got ${values.recentCount}`,
      );
    }
    this.dims = dims;
    this.reference = values.reference.map((r) => Float64Array.from(r));
    this.refCount = values.refCount;
    this.recent = values.recent.map((r) => Float64Array.from(r));
    this.recentSorted = values.recentSorted.map((r) => Float64Array.from(r));
    this.recentCount = values.recentCount;
    this.head = values.head;
    this.drift = values.drift;
    this.d = values.statistic;
    this.p = values.pValue;
    this.worst = values.feature;
  }

  private allocate(dims: number): void {
    const n = this.options.windowSize;
    this.dims = dims;
    this.reference = Array.from({ length: dims }, () => new Float64Array(n));
    this.recent = Array.from({ length: dims }, () => new Float64Array(n));
    this.recentSorted = Array.from({ length: dims }, () => new Float64Array(n));
  }

  private test(): void {
    const n = this.options.windowSize;
    const dims = this.reference.length;
    let best = -1;
    let bestP = Infinity;
    let bestD = 0;
    for (let f = 0; f < dims; f++) {
      const d = ksStatistic(this.reference[f], this.recentSorted[f]);
      const p = ksPValue(d, n, n);
      if (p < bestP) [best, bestP, bestD] = [f, p, d];
    }
    this.worst = best;
    this.p = bestP;
    this.d = bestD;
    if (bestP < this.options.alpha / dims) {
      this.drift = true;
      // The recent window becomes the reference; a new recent window starts.
      for (let f = 0; f < dims; f++) this.reference[f].set(this.recentSorted[f]);
      this.recentCount = 0;
      this.head = 0;
    }
  }
}

/** The two-sample KS statistic sup |F_a - F_b| of two sorted samples (ties handled). */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i], b[j]);
    while (i < n && a[i] <= x) i++;
    while (j < m && b[j] <= x) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  return d;
}

/** The asymptotic p-value of a two-sample KS statistic `d` of samples of sizes n and m. */
export function ksPValue(d: number, n: number, m: number): number {
  return kolmogorovQ(Math.sqrt((n * m) / (n + m)) * d);
}

/**
 * Q_KS(lambda) = P(K > lambda) for the Kolmogorov distribution K: the alternating series for
 * lambda >= 1.18, and 1 - √(2π)/lambda · Σ e^{-(2k-1)² π² / (8 lambda²)} below it (where the first
 * converges slowly); four terms of either are accurate to about 1e-10 on its range.
 */
export function kolmogorovQ(lambda: number): number {
  if (lambda <= 0) return 1;
  if (lambda < 1.18) {
    const y = Math.exp((-Math.PI * Math.PI) / (8 * lambda * lambda));
    const y8 = y ** 8;
    const cdf = (Math.sqrt(2 * Math.PI) / lambda) * y * (1 + y8 * (1 + y8 * y8 * (1 + y8 * y8 * y8)));
    return Math.min(1, Math.max(0, 1 - cdf));
  }
  const x = Math.exp(-2 * lambda * lambda);
  const x2 = x * x;
  const x3 = x2 * x;
  return Math.min(1, Math.max(0, 2 * x * (1 - x3 * (1 - x2 * x3 * (1 - x3 * x3 * x)))));
}

/** The first index among the sorted first `count` entries of `sorted` whose value is not below `x`. */
function lowerBound(sorted: Float64Array, count: number, x: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts `x` into the sorted first `count` entries of `sorted` (which has room for one more). */
function insertSorted(sorted: Float64Array, count: number, x: number): void {
  const at = lowerBound(sorted, count, x);
  sorted.copyWithin(at + 1, at, count);
  sorted[at] = x;
}

/** Removes one entry equal to `x` from the sorted first `count` entries of `sorted`. */
function removeSorted(sorted: Float64Array, count: number, x: number): void {
  const at = lowerBound(sorted, count, x);
  sorted.copyWithin(at, at + 1, count);
}
