/**
 * A class-partitioned exemplar memory (iCaRL's P_1, ..., P_t): per class, its stored samples in
 * order of priority, as plain typed arrays (never tensors). Shrinking keeps each class's first m.
 */
import type { Dataset } from '../data/dataset.js';

export class ExemplarSet {
  private readonly sets = new Map<number, Float32Array>();

  constructor(
    private readonly sampleShape: readonly number[],
    private readonly numClasses: number,
  ) {}

  private get sampleSize(): number {
    return this.sampleShape.reduce((a, b) => a * b, 1);
  }

  /** The classes that have exemplars, ascending. */
  classes(): number[] {
    return [...this.sets.keys()].sort((a, b) => a - b);
  }

  /** Class `c`'s exemplars, row-major (empty when it has none). */
  samples(c: number): Float32Array {
    return this.sets.get(c) ?? new Float32Array(0);
  }

  /** How many exemplars class `c` has. */
  count(c: number): number {
    return this.samples(c).length / this.sampleSize;
  }

  /** Exemplars over all classes. */
  get size(): number {
    return this.classes().reduce((n, c) => n + this.count(c), 0);
  }

  /** Replaces class `c`'s exemplars with `samples` (row-major, best first). */
  set(c: number, samples: Float32Array): void {
    this.sets.set(c, samples);
  }

  /** Cuts every class to its first `m` exemplars. */
  reduce(m: number): void {
    for (const [c, x] of this.sets) this.sets.set(c, x.slice(0, m * this.sampleSize));
  }

  /** Every exemplar as one dataset, class by class; null while empty. */
  toDataset(): Dataset | null {
    const classes = this.classes();
    if (!classes.length) return null;
    const x = new Float32Array(this.size * this.sampleSize);
    const y = new Int32Array(this.size);
    let at = 0;
    for (const c of classes) {
      x.set(this.samples(c), at * this.sampleSize);
      y.fill(c, at, at + this.count(c));
      at += this.count(c);
    }
    return { x, y, sampleShape: this.sampleShape, numClasses: this.numClasses };
  }
}
