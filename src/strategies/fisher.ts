/**
 * The diagonal of the Fisher information of a classifier's variables on a dataset, the
 * importance weights of EWC (Kirkpatrick et al. 2017): F_i = E_x E_y [(d log p(y|x) / d theta_i)^2].
 *
 * - `empirical`: y is the sample's true label (the "empirical Fisher" most implementations use).
 * - `expected`: y is drawn from the model's own softmax p(.|x), seeded (the true Fisher, one draw per x).
 *
 * Gradients are taken per sample (one forward/backward per sample), so the squares are exact
 * rather than the squares of batch-averaged gradients.
 */
import * as tf from '../engine/tf.js';
import { createRng } from '../core/random.js';
import { sampleSize, type Dataset } from '../data/dataset.js';
import type { Classifier } from '../models/classifier.js';

export type FisherMode = 'empirical' | 'expected';

export interface FisherOptions {
  /** Samples to average over, drawn without replacement (seeded); `'all'` for the whole set. Default 600. */
  samples?: number | 'all';
  /** Which labels the log-likelihood is taken at. Default `empirical`. */
  mode?: FisherMode;
  /** Task id passed to `model.logits` (multi-head models). */
  taskId?: number;
  /** Fixes which samples are used and, in `expected` mode, the sampled labels. Default 0. */
  seed?: number;
}

/**
 * One tensor per `model.variables` entry, same shape, holding the mean squared per-sample
 * gradient of log p(y|x). The tensors are kept: the caller disposes them.
 */
export function diagonalFisher(model: Classifier, data: Dataset, options: FisherOptions = {}): tf.Tensor[] {
  const { mode = 'empirical', taskId, seed = 0 } = options;
  const total = data.y.length;
  const requested = options.samples ?? 600;
  const count = requested === 'all' ? total : Math.min(requested, total);
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`samples: expected a positive integer or 'all' (and a non-empty set), got ${requested}`);
  }
  const rng = createRng(seed);
  const order = count === total ? Int32Array.from({ length: total }, (_, i) => i) : rng.permutation(total);
  const variables = model.variables;
  const size = sampleSize(data);
  let sums: tf.Tensor[] = variables.map((v) => tf.keep(tf.zerosLike(v as tf.Tensor)));
  for (let k = 0; k < count; k++) {
    const j = order[k];
    const next = tf.tidy(() => {
      const x = tf.tensor(data.x.subarray(j * size, (j + 1) * size), [1, ...data.sampleShape]);
      const y = mode === 'empirical' ? data.y[j] : sampleLabel(model, x, taskId, rng.next());
      const { grads } = tf.variableGrads(() => {
        const logProbs = tf.logSoftmax(model.logits(x, taskId));
        return tf.neg(tf.sum(tf.mul(logProbs, tf.oneHot([y], model.numClasses)))) as tf.Scalar;
      }, [...variables]);
      return sums.map((s, i) =>
        grads[variables[i].name] ? tf.add(s, tf.square(grads[variables[i].name])) : s.clone(),
      );
    });
    sums.forEach((s) => s.dispose());
    sums = next;
  }
  const fisher = tf.tidy(() => sums.map((s) => tf.div(s, count)));
  sums.forEach((s) => s.dispose());
  return fisher;
}

/** A label drawn from the model's softmax at `x` with the uniform number `u`. */
function sampleLabel(model: Classifier, x: tf.Tensor, taskId: number | undefined, u: number): number {
  const probs = tf.softmax(model.logits(x, taskId)).dataSync();
  let acc = 0;
  for (let c = 0; c < probs.length; c++) {
    acc += probs[c];
    if (u < acc) return c;
  }
  return probs.length - 1;
}
