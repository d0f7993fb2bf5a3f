/**
 * Memory-based parameter adaptation (Sprechmann et al. 2018, section 2): before predicting on a
 * test sample, take a few gradient steps on the output layer's weights on the loss of the
 * sample's retrieved neighbours, weighted by their attention, kept close to the trained weights
 * by `lambda * ||theta - theta0||^2`; predict with the adapted weights, then discard them.
 *
 * Batched: every query of a batch has its own copy of the output layer, `W` [B, F, C] and `b`
 * [B, 1, C]. The layer is linear and its loss a softmax cross-entropy, so the gradients have a
 * closed form, with `h_j` the neighbours' embeddings (their keys), `p_j` the layer's softmax on
 * them, `y_j` their one-hot labels and `a_j` the attention:
 *   dL/dW = sum_j a_j h_j^T (p_j - y_j),   dL/db = sum_j a_j (p_j - y_j),
 * one batched matrix product per step instead of a backward pass per query.
 *
 * The penalty is taken by a proximal step, not by its gradient: with step size `lr`,
 *   theta <- (theta - lr * g + 2 lr lambda theta0) / (1 + 2 lr lambda),
 * the exact minimiser of the linearised loss plus the penalty plus (1 / 2lr) ||theta - theta_t||^2.
 * A plain gradient step on the penalty diverges once 2 lr lambda > 2; this one is stable for every
 * lambda and reaches theta0 exactly as lambda grows without bound.
 *
 * `neighbourhood` and `outputLayer` take the inputs from a key-value memory's read and a
 * single-head model.
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import { ConfigError } from '../../core/errors.js';
import type { KeyValueMemory, MemoryRead } from '../../memory/key-value-memory.js';
import type { Classifier } from '../../models/classifier.js';

/** Local adaptation's options (memory-augmented's `localAdaptation`). */
export const localAdaptationOptions = z.strictObject({
  steps: z
    .number()
    .int()
    .min(0)
    .default(5)
    .describe('gradient steps per query (0: predict with the trained weights)'),
  lr: z.number().positive().default(0.1).describe('step size'),
  // Infinity holds the weights at theta0 (zod's numbers are finite: it is a branch of its own).
  lambda: z
    .union([z.number().min(0), z.literal(Infinity)])
    .default(0.1)
    .describe(
      'strength of the pull back to the trained weights, lambda · ||θ − θ0||² (Infinity: no adaptation)',
    ),
});

export type LocalAdaptationOptions = Readonly<z.output<typeof localAdaptationOptions>>;

export interface AdaptationInputs {
  /** The queries' embeddings, [B, F]. */
  readonly queries: tf.Tensor2D;
  /** Each query's neighbours' embeddings, [B, k, F]. */
  readonly neighbours: tf.Tensor3D;
  /** Their one-hot labels, [B, k, C]. */
  readonly labels: tf.Tensor3D;
  /** Their attention weights, [B, k]. */
  readonly attention: tf.Tensor2D;
  /** The trained output layer: kernel [F, C] and bias [C]. */
  readonly kernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
}

/** The queries' logits [B, C] under their own locally adapted output layers. */
export function locallyAdaptedLogits(inputs: AdaptationInputs, options: LocalAdaptationOptions): tf.Tensor2D {
  const { queries, neighbours, labels, attention, kernel, bias } = inputs;
  const [batch, features] = queries.shape;
  const classes = kernel.shape[1];
  return tf.tidy(() => {
    const kernel0 = tf.expandDims(kernel, 0); // [1, F, C], broadcast over the batch
    const bias0 = tf.reshape(bias, [1, 1, classes]);
    let w = tf.tile(kernel0, [batch, 1, 1]) as tf.Tensor3D;
    let b = tf.tile(bias0, [batch, 1, 1]) as tf.Tensor3D;
    const pull = 2 * options.lr * options.lambda;
    const weights = tf.expandDims(attention, 2); // [B, k, 1]
    // An infinite pull holds the weights at theta0: no step to take (and none to divide by).
    const steps = Number.isFinite(pull) ? options.steps : 0;
    for (let step = 0; step < steps; step++) {
      const [nextW, nextB] = tf.tidy(() => {
        const probabilities = tf.softmax(tf.add(tf.matMul(neighbours, w), b)); // [B, k, C]
        const residual = tf.mul(tf.sub(probabilities, labels), weights);
        const gradW = tf.matMul(neighbours, residual, true, false); // [B, F, C]
        const gradB = tf.sum(residual, 1, true); // [B, 1, C]
        const prox = (theta: tf.Tensor, grad: tf.Tensor, theta0: tf.Tensor) =>
          tf.div(tf.add(tf.sub(theta, tf.mul(grad, options.lr)), tf.mul(theta0, pull)), 1 + pull);
        return [prox(w, gradW, kernel0), prox(b, gradB, bias0)] as tf.Tensor3D[];
      });
      w.dispose();
      b.dispose();
      w = nextW;
      b = nextB;
    }
    const logits = tf.add(tf.matMul(tf.reshape(queries, [batch, 1, features]), w), b);
    return tf.reshape(logits, [batch, classes]) as tf.Tensor2D;
  });
}

/**
 * Each query's neighbours as local adaptation takes them: their keys [B, k, F], one-hot labels
 * [B, k, C] and attention [B, k], copied from the memory's arrays (constants at test time).
 */
export function neighbourhood(memory: KeyValueMemory, memoryRead: MemoryRead, numClasses: number) {
  const { k, indices } = memoryRead;
  const [batch, n] = memoryRead.weights.shape;
  const d = memory.keySize;
  const weights = memoryRead.weights.dataSync();
  const keys = new Float32Array(batch * k * d);
  const labels = new Float32Array(batch * k * numClasses);
  const attention = new Float32Array(batch * k);
  indices.forEach((slot, i) => {
    keys.set(memory.keys.subarray(slot * d, (slot + 1) * d), i * d);
    labels[i * numClasses + memory.labels[slot]] = 1;
    attention[i] = weights[Math.floor(i / k) * n + slot];
  });
  return {
    neighbours: tf.tensor3d(keys, [batch, k, d]),
    labels: tf.tensor3d(labels, [batch, k, numClasses]),
    attention: tf.tensor2d(attention, [batch, k]),
  };
}

/**
 * The output layer, logits = features(x) kernel + bias: a single-head model's last two variables,
 * kernel [F, C] and bias [C] (mlp.ts's order).
 */
export function outputLayer(model: Classifier): { kernel: tf.Tensor2D; bias: tf.Tensor1D } {
  const [kernel, bias] = model.variables.slice(-2);
  const classes = model.numClasses;
  if (
    model.multiHead ||
    kernel?.rank !== 2 ||
    kernel.shape[1] !== classes ||
    bias?.shape.join() !== `${classes}`
  ) {
    throw new ConfigError(
      'localAdaptation',
      'expected a single-head model whose last variables are its output kernel [F, C] and bias [C]',
    );
  }
  return { kernel: kernel as tf.Tensor2D, bias: bias as tf.Tensor1D };
}
