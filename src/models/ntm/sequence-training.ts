/**
 * One gradient step for sequence models (the NTM and its LSTM baseline): the loss's gradients by
 * tf.variableGrads, clipped to a global norm (NTM implementations clip gradients: the
 * gradient through a long unrolled sequence occasionally spikes; 10 is our default, large enough
 * not to touch ordinary steps) so that an unlucky long sequence cannot blow up the weights, then
 * applied by the optimizer.
 */
import * as tf from '../../engine/tf.js';

export const DEFAULT_CLIP_NORM = 10;

/** Scales `gradients` so that their global L2 norm is at most `maxNorm`; returns them and the norm. */
export function clipByGlobalNorm(
  gradients: tf.NamedTensorMap,
  maxNorm: number,
): { clipped: tf.NamedTensorMap; norm: tf.Scalar } {
  const names = Object.keys(gradients);
  const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(gradients[n]))))) as tf.Scalar;
  const scale = tf.div(maxNorm, tf.maximum(norm, maxNorm));
  const clipped: tf.NamedTensorMap = {};
  for (const n of names) clipped[n] = tf.mul(gradients[n], scale);
  return { clipped, norm };
}

/** Minimises `loss()` over `variables` by one clipped step; returns the loss value. */
export function clippedStep(
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  loss: () => tf.Scalar,
  maxNorm = DEFAULT_CLIP_NORM,
): number {
  const value = tf.tidy(() => {
    const { value: l, grads } = tf.variableGrads(loss, variables);
    optimizer.applyGradients(clipByGlobalNorm(grads, maxNorm).clipped);
    return l;
  });
  const result = value.dataSync()[0];
  value.dispose();
  return result;
}
