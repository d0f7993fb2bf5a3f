/**
 * NTM memory access (Graves et al. 2014, sections 3.1-3.2), batched. Memory is [B, N, M]
 * (N slots of width M); weightings are [B, H, N].
 *
 *   read   r_h = sum_i w_h(i) M(i)                                   -> [B, H, M]
 *   write  M'(i) = M(i) * prod_h (1 - w_h(i) e_h) + sum_h w_h(i) a_h  (erase, then add)
 *
 * All write heads erase before any adds, so with several heads the order of heads does not matter.
 */
import * as tf from '../../engine/tf.js';

/** Read vectors of every head: [B, H, M]. */
export function readMemory(memory: tf.Tensor3D, weights: tf.Tensor3D): tf.Tensor3D {
  return tf.matMul(weights, memory);
}

/**
 * The memory after the write heads' erase vectors `erase` (in [0, 1]) and add vectors `add`
 * (both [B, W, M]) at weightings `weights` [B, W, N].
 */
export function writeMemory(
  memory: tf.Tensor3D,
  weights: tf.Tensor3D,
  erase: tf.Tensor3D,
  add: tf.Tensor3D,
): tf.Tensor3D {
  const heads = weights.shape[1];
  let kept: tf.Tensor3D = memory;
  for (let h = 0; h < heads; h++) {
    // Outer product w_h e_h^T: [B, N, 1] x [B, 1, M] as one batched matmul (no slicing for one head).
    const w = heads === 1 ? weights : tf.slice(weights, [0, h, 0], [-1, 1, -1]);
    const e = heads === 1 ? erase : tf.slice(erase, [0, h, 0], [-1, 1, -1]);
    kept = tf.mul(kept, tf.sub(1, tf.matMul(w, e, true, false)));
  }
  // sum_h w_h a_h^T in one matmul: [B, N, W] x [B, W, M].
  return tf.add(kept, tf.matMul(weights, add, true, false));
}
