/**
 * One step of Synaptic Intelligence's path integral for one variable:
 * `w - g * (theta - prev)`, where `w` is the running integral, `g` the step's gradient and
 * `theta - prev` the step's move. SI does it for every model variable after every training step.
 *
 * Built from tfjs ops it is sub, mul and sub, three passes with two temporaries over every
 * parameter per step; SI trained ~1.6x slower than Naive with it. On the native backend it is
 * one kernel call per variable (src/native/kernels/path-integral.ts). Elsewhere (cpu, wasm, or
 * inputs the kernel does not take) it is the plain tf ops. It has no gradient: SI runs it
 * outside autodiff.
 */
import * as tf from '../tf.js';
import { PATH_INTEGRAL_STEP } from '../../native/kernels/path-integral.js';

export function pathIntegralStep(w: tf.Tensor, g: tf.Tensor, theta: tf.Tensor, prev: tf.Tensor): tf.Tensor {
  if (!canFuse(w, g, theta, prev)) return tf.tidy(() => tf.sub(w, tf.mul(g, tf.sub(theta, prev))));
  return tf.engine().runKernel(PATH_INTEGRAL_STEP, { w, g, theta, prev }) as tf.Tensor;
}

function canFuse(...xs: tf.Tensor[]): boolean {
  if (tf.getKernel(PATH_INTEGRAL_STEP, tf.getBackend()) == null) return false;
  return xs.every((x) => x.dtype === 'float32' && tf.util.arraysEqual(x.shape, xs[0].shape));
}
