/**
 * Exact per-sample gradient statistics of a stack of dense layers in a few batched products.
 * For a dense layer z = a W + b, sample n's gradients are dW_n = a_n^T d_n and db_n = d_n
 * (d_n = dLoss_n / dz_n), so for p in {1, 2}, since |a b|^p = |a|^p |b|^p,
 *
 *   sum_n |dW_n|^p = (|A|^p)^T |D|^p   and   sum_n |db_n|^p = sum_n |d_n|^p,
 *
 * one GEMM per layer for a whole batch, and every row of D comes from one batched backward
 * pass (each sample's loss depends only on its own row).
 */
import * as tf from '../engine/tf.js';

export type DenseActivation = 'relu' | 'sigmoid' | 'tanh' | 'linear';

/** One dense layer: `activation(a kernel + bias)`. */
export interface DenseStep {
  readonly kernel: tf.Tensor;
  readonly bias: tf.Tensor | null;
  readonly activation: DenseActivation;
}

/** dLoss_n / dlogits_n for every row of `logits` ([batch, classes]), treated as a constant. */
export type OutputGradient = (logits: tf.Tensor2D) => tf.Tensor2D;

function activate(z: tf.Tensor2D, activation: DenseActivation): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.relu(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'tanh':
      return tf.tanh(z);
    case 'linear':
      return z;
  }
}

/** d activation / dz written in terms of the activation's output h, times `upstream`. */
function backThroughActivation(
  upstream: tf.Tensor2D,
  h: tf.Tensor2D,
  activation: DenseActivation,
): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.mul(upstream, tf.step(h));
    case 'sigmoid':
      return tf.mul(upstream, tf.mul(h, tf.sub(1, h)));
    case 'tanh':
      return tf.mul(upstream, tf.sub(1, tf.square(h)));
    case 'linear':
      return upstream;
  }
}

/**
 * `sum_n |g_n|^power` for the kernel and (when present) bias of each layer, in layer order,
 * g_n the gradient of sample n's loss; `outputGradient` gives dLoss_n / d(last layer's output).
 * The result is kept out of any enclosing tidy's scratch: the caller owns it.
 */
export function denseStackGradientSums(
  x: tf.Tensor2D,
  layers: readonly DenseStep[],
  outputGradient: OutputGradient,
  power: 1 | 2,
): tf.Tensor[] {
  return tf.tidy(() => {
    const inputs: tf.Tensor2D[] = [];
    const outputs: tf.Tensor2D[] = [];
    let a = x;
    for (const layer of layers) {
      inputs.push(a);
      const z = tf.matMul(a, layer.kernel as tf.Tensor2D) as tf.Tensor2D;
      a = activate(layer.bias ? (tf.add(z, layer.bias) as tf.Tensor2D) : z, layer.activation);
      outputs.push(a);
    }
    const lift = (t: tf.Tensor2D): tf.Tensor2D => (power === 1 ? tf.abs(t) : tf.square(t));
    const sums: tf.Tensor[][] = [];
    let upstream = outputGradient(a);
    for (let l = layers.length - 1; l >= 0; l--) {
      const d = backThroughActivation(upstream, outputs[l], layers[l].activation);
      const dp = lift(d);
      const kernelSum = tf.matMul(lift(inputs[l]), dp, true, false);
      sums[l] = layers[l].bias ? [kernelSum, tf.sum(dp, 0)] : [kernelSum];
      if (l > 0) upstream = tf.matMul(d, layers[l].kernel as tf.Tensor2D, false, true);
    }
    return sums.flat();
  });
}
