/**
 * A model's gradients as one flat vector and back, for methods that compare or project whole
 * gradients (A-GEM, GEM, task importance's gradient conflict).
 */
import * as tf from '../tf.js';

/** The gradients laid end to end, in `variables`' order; a missing gradient counts as zeros. */
export function flatten(
  grads: readonly (tf.Tensor | undefined)[],
  variables: readonly tf.Variable[],
): tf.Tensor1D {
  return tf.concat(variables.map((v, k) => tf.reshape(grads[k] ?? tf.zerosLike(v), [-1]))) as tf.Tensor1D;
}

/** `vector` cut back into `like`'s shapes; undefined where `like` has no gradient (the optimizer skips it). */
export function unflatten(
  vector: tf.Tensor1D,
  like: readonly (tf.Tensor | undefined)[],
  variables: readonly tf.Variable[],
): (tf.Tensor | undefined)[] {
  const parts = tf.split(
    vector,
    variables.map((v) => v.size),
  );
  return variables.map((v, k) => (like[k] ? tf.reshape(parts[k], v.shape) : undefined));
}

export function dot(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(a, b));
}
