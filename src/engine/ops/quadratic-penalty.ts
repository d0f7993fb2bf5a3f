/**
 * The quadratic penalty of the importance-based regularisers (EWC, SI, MAS):
 * `strength * sum_v sum_i W_v,i (theta_v,i - C_v,i)^2`, differentiable with respect to the
 * `thetas` only (centres and weights are constants of the current experience).
 *
 * Built from tfjs ops it costs sub, square, mul and sum per variable plus their gradients,
 * about 30 kernel calls over every parameter per training step: EWC, SI and MAS ran 1.5-1.7x
 * slower than Naive for it. On the native backend it is one kernel forward for all variables
 * and one per variable backward (src/native/kernels/penalty.ts). Elsewhere (cpu, wasm, or
 * inputs the kernels do not take) it is the plain tf ops.
 */
import * as tf from '../tf.js';
import {
  QUADRATIC_PENALTY,
  QUADRATIC_PENALTY_GRAD,
  penaltyInputNames,
} from '../../native/kernels/penalty.js';

export function quadraticPenalty(
  thetas: readonly tf.Tensor[],
  centres: readonly tf.Tensor[],
  weights: readonly tf.Tensor[],
  strength: number,
): tf.Scalar {
  if (thetas.length !== centres.length || thetas.length !== weights.length) {
    throw new Error(
      `quadraticPenalty: ${thetas.length} thetas, ${centres.length} centres, ${weights.length} weights`,
    );
  }
  if (thetas.length === 0) return tf.scalar(0);
  return canFuse(thetas, centres, weights)
    ? fused(thetas, centres, weights, strength)
    : withTfOps(thetas, centres, weights, strength);
}

function canFuse(
  thetas: readonly tf.Tensor[],
  centres: readonly tf.Tensor[],
  weights: readonly tf.Tensor[],
): boolean {
  if (tf.getKernel(QUADRATIC_PENALTY, tf.getBackend()) == null) return false;
  return thetas.every(
    (t, v) =>
      [t, centres[v], weights[v]].every((x) => x.dtype === 'float32') &&
      tf.util.arraysEqual(t.shape, centres[v].shape) &&
      tf.util.arraysEqual(t.shape, weights[v].shape),
  );
}

function withTfOps(
  thetas: readonly tf.Tensor[],
  centres: readonly tf.Tensor[],
  weights: readonly tf.Tensor[],
  strength: number,
): tf.Scalar {
  return tf.tidy(() => {
    const sums = thetas.map((t, v) => tf.sum(tf.mul(weights[v], tf.square(tf.sub(t, centres[v])))));
    return tf.mul(tf.addN(sums), strength) as tf.Scalar;
  });
}

function fused(
  thetas: readonly tf.Tensor[],
  centres: readonly tf.Tensor[],
  weights: readonly tf.Tensor[],
  strength: number,
): tf.Scalar {
  // Centres and weights are closed over, not inputs: they get no gradient and the tape keeps
  // no copies of them (the caller keeps them alive across the step, as it does the thetas).
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const ts = args.slice(0, thetas.length) as tf.Tensor[];
    const inputs: tf.NamedTensorMap = {};
    ts.forEach((t, v) => {
      const [theta, centre, weight] = penaltyInputNames(v);
      inputs[theta] = t;
      inputs[centre] = centres[v];
      inputs[weight] = weights[v];
    });
    const value = tf
      .engine()
      .runKernel(QUADRATIC_PENALTY, inputs, { count: ts.length, strength }) as tf.Scalar;
    const gradFunc = (dy: tf.Tensor) =>
      ts.map(
        (t, v) =>
          tf
            .engine()
            .runKernel(
              QUADRATIC_PENALTY_GRAD,
              { dy, theta: t, centre: centres[v], weight: weights[v] },
              { strength },
            ) as tf.Tensor,
      );
    return { value, gradFunc };
  });
  return op(...thetas) as tf.Scalar;
}
