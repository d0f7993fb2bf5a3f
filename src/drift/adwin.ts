/**
 * ADWIN, ADaptive WINdowing (Bifet & Gavaldà 2007, "Learning from Time-Changing Data with
 * Adaptive Windowing"), in its ADWIN2 form: the window is kept as an exponential histogram of
 * buckets (row r holds buckets of 2^r values, at most `maxBuckets` of them; one more merges the
 * row's two oldest into a bucket of the next row), so it takes O(maxBuckets · log width) memory
 * and each check O(maxBuckets · log width) time per cut tried.
 *
 * Every `clock` updates (once the window is longer than `gracePeriod`) every split of the window
 * at a bucket boundary into an older part W0 (n0 values, mean mu0) and a newer part W1 (n1, mu1),
 * each at least `minWindowLength` long, is tested with the paper's variance-aware bound
 *
 *   eps_cut = sqrt(2/m · sigma² · ln(2/delta')) + 2/(3m) · ln(2/delta'),
 *   m = 1 / (1/n0 + 1/n1),  delta' = delta / ln(n),
 *
 * with sigma² the variance of the whole window and n its width. While some split has
 * |mu0 - mu1| > eps_cut, the oldest bucket is dropped (the paper's "drop elements from the tail
 * of W"): what remains is, about, the newer sub-window. Such an update reports a drift.
 */
import { z } from 'zod';
import {
  DetectorStateReader,
  detectorOptions,
  finiteValue,
  type DriftDetector,
  type DriftDetectorState,
} from './detector.js';

export const adwinOptions = z.strictObject({
  delta: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.002)
    .describe('confidence of a cut: a false cut has probability at most about delta'),
  clock: z.int().positive().default(32).describe('a cut is looked for every `clock` updates'),
  maxBuckets: z
    .int()
    .min(2)
    .default(5)
    .describe('buckets of one size kept before the two oldest are merged (M in the paper)'),
  minWindowLength: z.int().positive().default(5).describe('shortest sub-window (W0 or W1) a cut may leave'),
  gracePeriod: z.int().min(0).default(10).describe('no cut is looked for while the window is this short'),
});

export type AdwinOptions = z.input<typeof adwinOptions>;

/** One row of the histogram: its buckets' sums and variances (sum of squared deviations), oldest first. */
interface Row {
  totals: number[];
  variances: number[];
}

export class Adwin implements DriftDetector<number> {
  readonly name = 'adwin';
  readonly options: Readonly<z.output<typeof adwinOptions>>;
  /** rows[r] holds buckets of 2^r values; the oldest values are in the last row. */
  private rows: Row[] = [];
  private n = 0;
  private total = 0;
  /** Sum of squared deviations from the mean over the whole window. */
  private m2 = 0;
  private ticks = 0;
  private drift = false;

  constructor(options: AdwinOptions = {}) {
    this.options = detectorOptions(adwinOptions, options);
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  /** ADWIN has no warning zone: always false. */
  get warningDetected(): boolean {
    return false;
  }

  /** Number of values in the window. */
  get width(): number {
    return this.n;
  }

  /** Mean of the window (0 while it is empty). */
  get estimation(): number {
    return this.n ? this.total / this.n : 0;
  }

  /** Variance of the window (population variance; 0 while it is empty). */
  get variance(): number {
    return this.n ? this.m2 / this.n : 0;
  }

  /** Number of buckets the histogram holds. */
  get bucketCount(): number {
    return this.rows.reduce((sum, row) => sum + row.totals.length, 0);
  }

  update(value: number): void {
    const x = finiteValue('Adwin', value);
    this.drift = false;
    this.insert(x);
    this.ticks++;
    if (this.ticks % this.options.clock === 0 && this.n > this.options.gracePeriod) {
      this.drift = this.shrink();
    }
  }

  reset(): void {
    this.rows = [];
    this.n = 0;
    this.total = 0;
    this.m2 = 0;
    this.ticks = 0;
    this.drift = false;
  }

  /** The histogram row by row (`totals[r]`, `variances[r]`: buckets of 2^r values, oldest first) and the sums. */
  state(): DriftDetectorState<'adwin'> {
    return {
      name: this.name,
      options: { ...this.options },
      totals: this.rows.map((row) => [...row.totals]),
      variances: this.rows.map((row) => [...row.variances]),
      n: this.n,
      total: this.total,
      m2: this.m2,
      ticks: this.ticks,
      drift: this.drift,
    };
  }

  restore(state: DriftDetectorState): void {
    const read = new DetectorStateReader('Adwin', this.name, this.options, state);
    const totals = read.numberRows('totals', undefined);
    const variances = read.numberRows('variances', totals.length);
    totals.forEach((row, r) => {
      if (variances[r].length !== row.length) {
        read.fail(
          `variances[${r}]`,
          `expected ${row.length} values (as totals[${r}]), got ${variances[r].length}`,
        );
      }
      if (row.length > this.options.maxBuckets) {
        read.fail(
          `totals[${r}]`,
          `expected at most maxBuckets = ${this.options.maxBuckets} buckets, got ${row.length}`,
        );
      }
    });
    const n = read.integer('n');
    const width = totals.reduce((sum, row, r) => sum + row.length * 2 ** r, 0);
    if (width !== n) read.fail('n', `expected ${width}, the values the buckets hold, got ${n}`);
    const [total, m2, ticks, drift] = [
      read.number('total'),
      read.number('m2'),
      read.integer('ticks'),
      read.boolean('drift'),
    ];
    this.rows = totals.map((row, r) => ({ totals: [...row], variances: [...variances[r]] }));
    this.n = n;
    this.total = total;
    this.m2 = m2;
    this.ticks = ticks;
    this.drift = drift;
  }

  private insert(x: number): void {
    if (this.n > 0) {
      const d = x - this.total / this.n;
      this.m2 += (d * d * this.n) / (this.n + 1);
    }
    this.n++;
    this.total += x;
    if (!this.rows.length) this.rows.push({ totals: [], variances: [] });
    this.rows[0].totals.push(x);
    this.rows[0].variances.push(0);
    // Compress: a row over maxBuckets merges its two oldest buckets into one of the next row.
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r];
      if (row.totals.length <= this.options.maxBuckets) break;
      const size = 2 ** r;
      const [t1, t2] = row.totals.splice(0, 2);
      const [v1, v2] = row.variances.splice(0, 2);
      const diff = t1 / size - t2 / size;
      if (r + 1 === this.rows.length) this.rows.push({ totals: [], variances: [] });
      this.rows[r + 1].totals.push(t1 + t2);
      this.rows[r + 1].variances.push(v1 + v2 + (size / 2) * diff * diff);
    }
  }

  /** Drops the oldest bucket while some split of the window is a cut; true if one was dropped. */
  private shrink(): boolean {
    let cut = false;
    while (this.findCut()) {
      this.dropOldest();
      cut = true;
    }
    return cut;
  }

  /** Whether some split at a bucket boundary has |mu0 - mu1| > eps_cut. */
  private findCut(): boolean {
    const { delta, minWindowLength } = this.options;
    const n = this.n;
    if (n < 2 * minWindowLength) return false;
    const variance = this.m2 / n;
    const lnTerm = Math.log((2 * Math.log(n)) / delta); // ln(2 / delta'), delta' = delta / ln n
    let n0 = 0;
    let u0 = 0;
    for (let r = this.rows.length - 1; r >= 0; r--) {
      const { totals } = this.rows[r];
      const size = 2 ** r;
      for (let i = 0; i < totals.length; i++) {
        n0 += size;
        u0 += totals[i];
        const n1 = n - n0;
        if (n1 < minWindowLength) return false; // later splits leave W1 shorter still
        if (n0 < minWindowLength) continue;
        const m = 1 / (1 / n0 + 1 / n1);
        const eps = Math.sqrt((2 / m) * variance * lnTerm) + (2 / (3 * m)) * lnTerm;
        if (Math.abs(u0 / n0 - (this.total - u0) / n1) > eps) return true;
      }
    }
    return false;
  }

  private dropOldest(): void {
    const r = this.rows.length - 1;
    const row = this.rows[r];
    const size = 2 ** r;
    const total = row.totals.shift() as number;
    const variance = row.variances.shift() as number;
    if (!row.totals.length) this.rows.pop();
    const rest = this.n - size;
    if (rest === 0) {
      this.n = 0;
      this.total = 0;
      this.m2 = 0;
      return;
    }
    const diff = total / size - (this.total - total) / rest;
    this.m2 = Math.max(0, this.m2 - variance - ((size * rest) / this.n) * diff * diff);
    this.n = rest;
    this.total -= total;
  }
}
