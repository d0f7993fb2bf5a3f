/**
 * A dense layer's computation, y = act(x @ W + b), as one kernel forward and at most two
 * backward on the native backend (src/native/kernels/dense.ts).
 *
 * tfjs's own `fused.matMul` runs unfused while gradients are recorded (matmul, bias add
 * and activation as separate kernels, each with its own gradient: ~12 kernels per layer
 * in a training step, plus tape copies). On a small-batch MLP that per-kernel overhead
 * is a large part of a step. Where the fused kernels are not registered (cpu, wasm) this
 * is exactly `tf.fused.matMul`.
 */
import * as tf from '../tf.js';
import { DENSE } from '../../native/kernels/dense.js';

export type DenseActivation = 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'sigmoid';
const FUSABLE: ReadonlySet<string> = new Set<DenseActivation>([
  'linear',
  'relu',
  'relu6',
  'leakyrelu',
  'sigmoid',
]);

export interface DenseArgs {
  x: tf.Tensor2D;
  kernel: tf.Tensor2D;
  bias?: tf.Tensor1D | null;
  activation?: DenseActivation;
  /** Slope of leakyrelu for x < 0 (must be > 0 for the fused gradient, which reads signs off y). */
  leakyreluAlpha?: number;
}

export function isFusableActivation(name: string): name is DenseActivation {
  return FUSABLE.has(name);
}

export function dense({
  x,
  kernel,
  bias = null,
  activation = 'linear',
  leakyreluAlpha = 0.2,
}: DenseArgs): tf.Tensor2D {
  const fused =
    tf.getKernel(DENSE, tf.getBackend()) != null &&
    x.dtype === 'float32' &&
    kernel.dtype === 'float32' &&
    (bias === null || (bias.dtype === 'float32' && bias.rank === 1 && bias.shape[0] === kernel.shape[1])) &&
    x.rank === 2 &&
    kernel.rank === 2 &&
    x.shape[1] === kernel.shape[0] &&
    FUSABLE.has(activation) &&
    (activation !== 'leakyrelu' || leakyreluAlpha > 0);
  if (!fused) {
    return tf.fused.matMul({
      a: x,
      b: kernel,
      bias: bias ?? undefined,
      activation,
      leakyreluAlpha,
    }) as tf.Tensor2D;
  }
  const inputs: tf.NamedTensorMap = bias ? { x, kernel, bias } : { x, kernel };
  return tf.engine().runKernel(DENSE, inputs, { activation, leakyreluAlpha }) as tf.Tensor2D;
}
