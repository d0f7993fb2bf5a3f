/**
 * The affine maps of the NTM and its LSTM baseline: y = x_1 K_1 + ... + x_n K_n + b over one or
 * more inputs (one kernel each, rather than one kernel over their concatenation: the gradient of a
 * concat is a split along the inner axis, which is ~10x slower than a small matmul on the CPU
 * backends). Glorot-uniform kernels (fan-in = the inputs' total width) are drawn from a seeded
 * generator, so the same seed gives the same model on every backend.
 */
import * as tf from '../../engine/tf.js';
import type { Rng } from '../../core/random.js';

export interface Dense {
  kernels: tf.Variable[];
  bias: tf.Variable;
  variables: tf.Variable[];
  /** One input per kernel, in the order of `inSizes`. */
  apply(...inputs: tf.Tensor2D[]): tf.Tensor2D;
}

/** A dense map from inputs of widths `inSizes` to `outSize`; `bias` is the initial bias (default zeros). */
export function dense(rng: Rng, inSizes: number | number[], outSize: number, bias?: Float32Array): Dense {
  const sizes = typeof inSizes === 'number' ? [inSizes] : inSizes;
  const limit = Math.sqrt(6 / (sizes.reduce((a, b) => a + b, 0) + outSize));
  const kernels = sizes.map((n) =>
    tf.variable(
      tf.tensor2d(
        Float32Array.from({ length: n * outSize }, () => (2 * rng.next() - 1) * limit),
        [n, outSize],
      ),
    ),
  );
  const biasVariable = tf.variable(tf.tensor1d(bias ?? new Float32Array(outSize)));
  return {
    kernels,
    bias: biasVariable,
    variables: [...kernels, biasVariable],
    apply: (...inputs) =>
      inputs
        .slice(1)
        .reduce<tf.Tensor2D>(
          (sum, x, i) => tf.add(sum, tf.matMul(x, kernels[i + 1])),
          tf.fused.matMul({ a: inputs[0], b: kernels[0], bias: biasVariable }) as tf.Tensor2D,
        ),
  };
}

/** Number of scalars in `variables`. */
export const parameterCount = (variables: readonly tf.Variable[]) =>
  variables.reduce((n, v) => n + v.size, 0);
