/**
 * The diagonal of the Fisher information of a classifier's variables on a dataset, the
 * importance weights of EWC (Kirkpatrick et al. 2017): F_i = E_x E_y [(d log p(y|x) / d theta_i)^2].
 *
 * - `empirical`: y is the sample's true label (the "empirical Fisher" most implementations use).
 * - `predicted`: y is the model's own argmax (van de Ven & Tolias's default, `output.max(1)[1]`).
 * - `expected`: y is drawn from the model's own softmax p(.|x), seeded (the true Fisher, one draw per x).
 *
 * `activeClasses` restricts the softmax (and the predicted or drawn label) to those output
 * columns (van de Ven's `allowed_classes`: in class-IL, the classes seen so far); the others get
 * zero gradient. The squares are of per-sample gradients, exact: models with
 * `perSampleGradientSums` give them for a whole batch at once (d log p / dlogits = onehot(y) -
 * softmax(z) on the active columns), others take one forward/backward per sample.
 */
import * as tf from '../../engine/tf.js';
import { createRng, type Rng } from '../../core/random.js';
import { sampleSize, type Dataset } from '../../data/dataset.js';
import type { Classifier } from '../../models/classifier.js';

export type FisherMode = 'empirical' | 'predicted' | 'expected';

export interface FisherOptions {
  /** Samples to average over, drawn without replacement (seeded); `'all'` for the whole set. Default 600. */
  samples?: number | 'all';
  /** Which labels the log-likelihood is taken at. Default `empirical`. */
  mode?: FisherMode;
  /** Task id passed to `model.logits` (multi-head models). */
  taskId?: number;
  /** Fixes which samples are used and, in `expected` mode, the sampled labels. Default 0. */
  seed?: number;
  /** Output columns the softmax ranges over. Default: all. */
  activeClasses?: readonly number[];
  /** Samples per batch when the model has `perSampleGradientSums`. Default 256. */
  batchSize?: number;
}

/**
 * One tensor per `model.variables` entry, same shape, holding the mean squared per-sample
 * gradient of log p(y|x). The tensors are kept: the caller disposes them.
 */
export function diagonalFisher(model: Classifier, data: Dataset, options: FisherOptions = {}): tf.Tensor[] {
  const { mode = 'empirical', taskId, seed = 0, batchSize = 256 } = options;
  const total = data.y.length;
  const requested = options.samples ?? 600;
  const count = requested === 'all' ? total : Math.min(requested, total);
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`samples: expected a positive integer or 'all' (and a non-empty set), got ${requested}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batchSize: expected a positive integer, got ${batchSize}`);
  }
  const active = options.activeClasses ?? Array.from({ length: model.numClasses }, (_, c) => c);
  if (!active.length || active.some((c) => !Number.isInteger(c) || c < 0 || c >= model.numClasses)) {
    throw new Error(
      `activeClasses: expected classes in [0, ${model.numClasses}), got [${active.join(', ')}]`,
    );
  }
  const rng = createRng(seed);
  const order = count === total ? Int32Array.from({ length: total }, (_, i) => i) : rng.permutation(total);
  const size = sampleSize(data);
  const step = model.perSampleGradientSums ? Math.min(batchSize, count) : 1;
  let sums: tf.Tensor[] = model.variables.map((v) => tf.keep(tf.zerosLike(v as tf.Tensor)));
  for (let start = 0; start < count; start += step) {
    const rows = order.subarray(start, Math.min(start + step, count));
    const next = tf.tidy(() => {
      const x = tf.tensor(gatherRows(data.x, rows, size), [rows.length, ...data.sampleShape]);
      const labelsOf = (logits: tf.Tensor2D) => labels(mode, logits, rows, data, active, rng);
      const batch = model.perSampleGradientSums
        ? model.perSampleGradientSums(x, taskId, (z) => logLikelihoodGradient(z, labelsOf(z), active), 2)
        : squaredGradients(model, x, taskId, labelsOf, active);
      return sums.map((s, i) => tf.add(s, batch[i]));
    });
    sums.forEach((s) => s.dispose());
    sums = next;
  }
  const fisher = tf.tidy(() => sums.map((s) => tf.div(s, count)));
  sums.forEach((s) => s.dispose());
  return fisher;
}

function gatherRows(x: Float32Array, rows: Int32Array, size: number): Float32Array {
  const out = new Float32Array(rows.length * size);
  rows.forEach((j, i) => out.set(x.subarray(j * size, (j + 1) * size), i * size));
  return out;
}

/** Each row's label as a position in `active`: the true one, the argmax or a draw from the softmax. */
function labels(
  mode: FisherMode,
  logits: tf.Tensor2D,
  rows: Int32Array,
  data: Dataset,
  active: readonly number[],
  rng: Rng,
): number[] {
  if (mode === 'empirical') {
    return Array.from(rows, (j) => {
      const position = active.indexOf(data.y[j]);
      if (position < 0) throw new Error(`label ${data.y[j]} of sample ${j} is not among activeClasses`);
      return position;
    });
  }
  const k = active.length;
  const values = tf.tidy(() => {
    const z = tf.gather(logits, active as number[], 1);
    return (mode === 'predicted' ? z : tf.softmax(z)).dataSync();
  });
  return Array.from(rows, (_, n) => {
    const row = values.subarray(n * k, (n + 1) * k);
    if (mode === 'predicted') return row.indexOf(Math.max(...row));
    const u = rng.next();
    let acc = 0;
    for (let c = 0; c < k; c++) {
      acc += row[c];
      if (u < acc) return c;
    }
    return k - 1;
  });
}

/** d(-log softmax(z_active)_y) / dz = softmax - onehot(y) on the active columns, 0 elsewhere. */
function logLikelihoodGradient(
  logits: tf.Tensor2D,
  positions: number[],
  active: readonly number[],
): tf.Tensor2D {
  return tf.tidy(() => {
    const k = active.length;
    const g = tf.sub(tf.softmax(tf.gather(logits, active as number[], 1)), oneHot(positions, k));
    return tf.matMul(g as tf.Tensor2D, oneHot(active, logits.shape[1]));
  });
}

/** The fallback: one backward per sample, the same labels and squares. */
function squaredGradients(
  model: Classifier,
  x: tf.Tensor,
  taskId: number | undefined,
  labelsOf: (logits: tf.Tensor2D) => number[],
  active: readonly number[],
): tf.Tensor[] {
  const variables = model.variables;
  const [position] = labelsOf(model.logits(x, taskId));
  const { grads } = tf.variableGrads(() => {
    const logProbs = tf.logSoftmax(tf.gather(model.logits(x, taskId), active as number[], 1));
    return tf.neg(tf.sum(tf.mul(logProbs, oneHot([position], active.length)))) as tf.Scalar;
  }, [...variables]);
  return variables.map((v) => (grads[v.name] ? tf.square(grads[v.name]) : tf.zerosLike(v)));
}

/** Rows of the identity picked by `indices` (tf.oneHot needs a depth of at least 2). */
function oneHot(indices: readonly number[], depth: number): tf.Tensor2D {
  const values = new Float32Array(indices.length * depth);
  indices.forEach((c, n) => (values[n * depth + c] = 1));
  return tf.tensor2d(values, [indices.length, depth]);
}
