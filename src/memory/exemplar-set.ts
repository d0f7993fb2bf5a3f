/**
 * A class-partitioned exemplar memory (iCaRL's P_1, ..., P_t): per class, its stored samples in
 * order of priority, as plain typed arrays (never tensors). Shrinking keeps each class's first m.
 * Also the memory's nearest-mean-of-exemplars classifier: class means in a normalised feature
 * space, and the scores that rank classes by distance to them.
 */
import * as tf from '../engine/tf.js';
import { sampleSize, type Dataset } from '../data/dataset.js';
import { DataFormatError } from '../core/errors.js';
import { StateReader, type StateRecord, type StateValue } from '../core/state.js';
import { meanRow, normalizeRows } from './herding.js';
import { rowsToKeep, takeRows, type ExampleMatch } from './forget.js';

/** A feature map run on a batch of samples, [batch, dim]. */
export type Embedding = (x: tf.Tensor) => tf.Tensor2D;

/** Per class, the unit-length mean feature of its exemplars, [numClasses, dim]; `has[c]`: class c has one. */
export interface ClassMeans {
  readonly values: Float32Array;
  readonly dim: number;
  readonly has: readonly boolean[];
}

export class ExemplarSet {
  private readonly sets = new Map<number, Float32Array>();

  constructor(
    readonly sampleShape: readonly number[],
    private readonly numClasses: number,
  ) {}

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
    return this.samples(c).length / sampleSize(this);
  }

  /** Exemplars over all classes. */
  get size(): number {
    return this.classes().reduce((n, c) => n + this.count(c), 0);
  }

  /** Bytes of the stored samples (their labels are the classes they are filed under). */
  memoryBytes(): number {
    return [...this.sets.values()].reduce((n, x) => n + x.byteLength, 0);
  }

  /** Replaces class `c`'s exemplars with `samples` (row-major, best first). */
  set(c: number, samples: Float32Array): void {
    this.sets.set(c, samples);
  }

  /** Removes the exemplars whose input `match` accepts, keeping the others' order; how many it removed. */
  forget(match: ExampleMatch): number {
    const size = sampleSize(this);
    let removed = 0;
    for (const [c, x] of this.sets) {
      const count = x.length / size;
      const kept = rowsToKeep(x, size, count, match);
      if (kept.length === count) continue;
      removed += count - kept.length;
      if (kept.length === 0) this.sets.delete(c);
      else this.sets.set(c, takeRows(x, size, kept));
    }
    return removed;
  }

  /** Cuts every class to its first `m` exemplars. */
  reduce(m: number): void {
    for (const [c, x] of this.sets) this.sets.set(c, x.slice(0, m * sampleSize(this)));
  }

  /** The stored samples, class by class, and the shapes they need: checkpoint data (core/state.ts). */
  state(): StateRecord {
    const classes = this.classes();
    return {
      sampleShape: Int32Array.from(this.sampleShape),
      numClasses: this.numClasses,
      classes: Int32Array.from(classes),
      samples: classes.map((c) => this.samples(c)),
    };
  }

  /** A set holding what `state()` saved; each field checked (a DataFormatError at `where` naming it). */
  static fromState(value: StateValue, where: string): ExemplarSet {
    const r = new StateReader(value, where);
    const set = new ExemplarSet(Array.from(r.ints('sampleShape')), r.integer('numClasses'));
    const classes = r.ints('classes');
    const samples = r.list('samples');
    if (samples.length !== classes.length) {
      throw new DataFormatError(
        where,
        `samples: expected ${classes.length} lists, one per class, got ${samples.length}`,
      );
    }
    const size = sampleSize(set);
    classes.forEach((c, k) => {
      const x = samples[k];
      if (!(x instanceof Float32Array) || x.length % size !== 0 || !(c >= 0 && c < set.numClasses)) {
        throw new DataFormatError(
          where,
          `samples[${k}]: expected rows of ${size} float32 values for class ${c}`,
        );
      }
      set.set(c, x);
    });
    return set;
  }

  /** Every exemplar as one dataset, class by class; null while empty. */
  toDataset(): Dataset | null {
    const classes = this.classes();
    if (!classes.length) return null;
    const size = sampleSize(this);
    const x = new Float32Array(this.size * size);
    const y = new Int32Array(this.size);
    let at = 0;
    for (const c of classes) {
      x.set(this.samples(c), at * size);
      y.fill(c, at, at + this.count(c));
      at += this.count(c);
    }
    return { x, y, sampleShape: this.sampleShape, numClasses: this.numClasses };
  }

  /**
   * Each class's mean of L2-normalised features, renormalised (`normalize: false`: the plain mean
   * of the raw features). With several embeddings (e.g. of the images and of their mirror images)
   * the per-embedding means are averaged first.
   */
  means(embeddings: readonly Embedding[], normalize = true): ClassMeans {
    let dim = 0;
    const perClass = this.classes().map((c) => {
      const sum = embeddings
        .map((embed) => {
          const f = embedRows(this.samples(c), this.sampleShape, embed);
          dim = f.dim;
          return meanRow(normalize ? normalizeRows(f.values, f.dim) : f.values, f.dim);
        })
        .reduce((a, b) => a.map((v, d) => v + b[d]));
      return { c, mean: normalize ? normalizeRows(sum, dim) : sum.map((v) => v / embeddings.length) };
    });
    const values = new Float32Array(this.numClasses * dim);
    const has = Array.from({ length: this.numClasses }, () => false);
    for (const { c, mean } of perClass) {
      values.set(mean, c * dim);
      has[c] = true;
    }
    return { values, dim, has };
  }
}

/** `embed` on the rows of `x` (samples of `shape`), 1000 per pass: its output rows, row-major. */
export function embedRows(x: Float32Array, shape: readonly number[], embed: Embedding) {
  const size = sampleSize({ sampleShape: shape });
  const n = x.length / size;
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let start = 0; start < n; start += 1000) {
    const end = Math.min(start + 1000, n);
    tf.tidy(() => {
      const out = embed(tf.tensor(x.subarray(start * size, end * size), [end - start, ...shape]));
      dim = out.shape[1];
      parts.push(out.dataSync() as Float32Array);
    });
  }
  const values = new Float32Array(n * dim);
  parts.forEach((p, k) => values.set(p, k * 1000 * dim));
  return { values, dim };
}

/**
 * Nearest-mean scores, [batch, numClasses]: minus the squared distance of each normalised feature
 * row (`normalize: false`: the raw row) to each class mean; classes without a mean score
 * `missing` (far below any distance).
 */
export function nearestMeanScores(
  features: tf.Tensor2D,
  means: ClassMeans,
  missing: number,
  normalize = true,
): tf.Tensor2D {
  const numClasses = means.has.length;
  const f = normalize ? tf.div(features, tf.add(tf.norm(features, 2, 1, true), 1e-12)) : features;
  const mu = tf.tensor2d(means.values, [numClasses, means.dim]);
  // -|f - mu|^2 = 2 f.mu - |mu|^2 - |f|^2
  const muSquares = tf.reshape(tf.sum(tf.square(mu), 1), [1, numClasses]);
  const distances = tf.add(
    tf.sub(tf.sum(tf.square(f), 1, true), tf.mul(tf.matMul(f, mu, false, true), 2)),
    muSquares,
  );
  const offsets = Float32Array.from(means.has, (has) => (has ? 0 : missing));
  return tf.add(tf.neg(distances), tf.tensor2d(offsets, [1, numClasses]));
}
