/**
 * NTM addressing (Graves et al. 2014, section 3.3), batched over the batch and over heads.
 * Shapes: memory [B, N, M], keys [B, H, M], weightings [B, H, N], per-head scalars [B, H].
 *
 *   content   w^c_i = softmax_i(beta * K(k, M_i)),  K = cosine similarity
 *   gate      w^g   = g * w^c + (1 - g) * w_{t-1}
 *   shift     w~_i  = sum_j w^g_j s_{(i - j) mod N}    (circular convolution, wraps around)
 *   sharpen   w_i   = w~_i^gamma / sum_j w~_j^gamma
 *
 * The raw head outputs become beta = softplus, g = sigmoid, s = softmax, gamma = 1 + softplus in
 * heads.ts; these functions take the constrained values, so tests can feed them hand-picked ones.
 */
import * as tf from '../../engine/tf.js';

/**
 * Keeps the cosine similarity finite for a zero key or an empty slot (the initial memory is a
 * small constant, not zero, but a write can erase a slot to ~0).
 */
export const COSINE_EPSILON = 1e-8;
/**
 * Added to the shifted weighting before the power: w^gamma is computed as exp(gamma * log(w + eps)),
 * whose gradient stays finite where a weight is exactly 0 (log 0 would give -inf * 0 = NaN).
 */
export const SHARPEN_EPSILON = 1e-12;

/** Euclidean norms along the last axis, kept: sqrt(sum x^2 + eps), so the gradient at 0 is finite. */
const norms = (x: tf.Tensor3D) =>
  tf.sqrt(tf.add(tf.sum(tf.square(x), 2, true), COSINE_EPSILON * COSINE_EPSILON));

/** Cosine similarity of every key with every memory slot: [B, H, N]. */
export function cosineSimilarity(memory: tf.Tensor3D, keys: tf.Tensor3D): tf.Tensor3D {
  const dots = tf.matMul(keys, memory, false, true); // [B, H, N]
  const keyNorms = norms(keys); // [B, H, 1]
  const slotNorms = tf.transpose(norms(memory), [0, 2, 1]); // [B, 1, N]
  return tf.div(dots, tf.add(tf.mul(keyNorms, slotNorms), COSINE_EPSILON));
}

/** Content weighting softmax(beta * cosine): [B, H, N]; `strengths` beta >= 0 is [B, H]. */
export function contentWeights(memory: tf.Tensor3D, keys: tf.Tensor3D, strengths: tf.Tensor2D): tf.Tensor3D {
  return tf.softmax(tf.mul(cosineSimilarity(memory, keys), tf.expandDims(strengths, 2)));
}

/** g * content + (1 - g) * previous, with the gate g in [0, 1] of shape [B, H]. */
export function interpolate(content: tf.Tensor3D, previous: tf.Tensor3D, gates: tf.Tensor2D): tf.Tensor3D {
  const g = tf.expandDims(gates, 2);
  return tf.add(previous, tf.mul(g, tf.sub(content, previous)));
}

/**
 * For shift offsets -R..R (kernel width 2R+1) and N slots: the N x (2R+1)N matrix of 0s and 1s
 * whose block k maps slot j to slot (j + k - R) mod N, i.e. the 2R+1 circular rotations side by side.
 */
function rotations(slots: number, width: number): tf.Tensor2D {
  const radius = (width - 1) / 2;
  const values = new Float32Array(slots * width * slots);
  for (let k = 0; k < width; k++) {
    for (let j = 0; j < slots; j++)
      values[j * width * slots + k * slots + ((j + k - radius + slots) % slots)] = 1;
  }
  return tf.tensor2d(values, [slots, width * slots]);
}

/**
 * Circular convolution of each weighting [B, H, N] with its shift kernel [B, H, 2R+1] (entry k is
 * the weight of the shift by k - R slots; +1 moves focus from slot i to slot i + 1, wrapping).
 * One matmul with a fixed 0/1 matrix lays out all 2R+1 rotated copies: its gradient is another
 * matmul, where a gather's (a segment sum) is ~100x slower on the CPU backends.
 */
export function circularShift(weights: tf.Tensor3D, kernel: tf.Tensor3D): tf.Tensor3D {
  const [b, h, n] = weights.shape;
  const width = kernel.shape[2];
  const flat = tf.reshape(weights, [b * h, n]);
  const rotated = tf.reshape(tf.matMul(flat, rotations(n, width)), [b, h, width, n]);
  return tf.sum(tf.mul(rotated, tf.expandDims(kernel, 3)), 2);
}

/** w^gamma / sum w^gamma along the slots; `gammas` >= 1 is [B, H]. */
export function sharpen(weights: tf.Tensor3D, gammas: tf.Tensor2D): tf.Tensor3D {
  // w^gamma / sum w^gamma is a softmax of gamma * log w: computed as one (the largest term is
  // subtracted first), no weighting underflows to all zeros when gamma is large and every w small.
  return tf.softmax(tf.mul(tf.log(tf.add(weights, SHARPEN_EPSILON)), tf.expandDims(gammas, 2)));
}

/** What one addressing step needs from the heads, already constrained (see heads.ts). */
export interface AddressingParams {
  keys: tf.Tensor3D; // [B, H, M]
  strengths: tf.Tensor2D; // beta [B, H]
  gates: tf.Tensor2D; // g [B, H]
  shifts: tf.Tensor3D; // s [B, H, 2R+1], rows sum to 1
  gammas: tf.Tensor2D; // gamma [B, H]
}

/** The whole pipeline: content -> gate with the previous weighting -> shift -> sharpen. */
export function address(memory: tf.Tensor3D, previous: tf.Tensor3D, p: AddressingParams): tf.Tensor3D {
  const content = contentWeights(memory, p.keys, p.strengths);
  return sharpen(circularShift(interpolate(content, previous, p.gates), p.shifts), p.gammas);
}
