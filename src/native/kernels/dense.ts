/**
 * A dense layer y = act(x @ W + b) as a native kernel with a native gradient, so a
 * training step records one kernel per layer forward and at most two backward (tfjs
 * records matmul, bias add and activation separately: ~12 kernels per layer).
 *
 * - `UnforgetDense`: inputs `{x [batch, in], kernel [in, units], bias? [units]}`, attrs
 *   `activation` (linear, relu, relu6, leakyrelu with alpha > 0, sigmoid) and
 *   `leakyreluAlpha`; output y.
 * - `UnforgetDenseGrad`: inputs `{dy, x, kernel, y?}`, attr `part`: `'input'` gives
 *   `[dx]`, `'params'` gives `[dKernel, dBias]`. Both read act' off the output y.
 *
 * The gradient computes the parameters' part eagerly and dx only when the tape asks for
 * it: the first layer's input is data, whose gradient nobody needs (on an MLP 784-256-256-10
 * that dx is a quarter of the backward pass).
 *
 * Registered for `native` only; src/engine/ops/dense.ts uses tf.fused.matMul elsewhere.
 */
import { engine, registerGradient } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { nativeKernel } from '../kernel-util.js';
import { fusedActivationCode } from './activation.js';

export const DENSE = 'UnforgetDense';
export const DENSE_GRAD = 'UnforgetDenseGrad';

export interface DenseAddon {
  /** dx = g W^T, dW = x^T g, db = colsum(g) with g = dy * act'(y); null outputs are skipped. */
  denseGrad(
    dy: Float32Array,
    x: Float32Array,
    kernel: Float32Array,
    y: Float32Array | null,
    dx: Float32Array | null,
    dKernel: Float32Array | null,
    dBias: Float32Array | null,
    batch: number,
    inUnits: number,
    units: number,
    activation: number,
    alpha: number,
  ): void;
}

const alphaOf = (attrs: NamedAttrMap) => (attrs.leakyreluAlpha as number | undefined) ?? 0.2;

export const denseForward = nativeKernel(DENSE, ({ inputs, backend, attrs }) => {
  const { x, kernel } = inputs;
  const bias = inputs.bias as TensorInfo | undefined;
  const activation = fusedActivationCode(attrs.activation);
  const xv = backend.f32(x);
  const kv = backend.f32(kernel);
  const bv = bias ? backend.f32(bias) : null;
  if (activation === null || !xv || !kv || (bias && !bv)) {
    throw new Error(`${DENSE}: expected float32 inputs and a supported activation`);
  }
  const [batch, inUnits] = x.shape;
  const units = kernel.shape[1];
  const y = backend.alloc(batch * units);
  backend.addon.matmul(xv, kv, y, 1, 1, batch, units, inUnits, false, false, bv, activation, alphaOf(attrs));
  return backend.output([batch, units], y);
});

export const denseGrad = nativeKernel(DENSE_GRAD, ({ inputs, backend, attrs }) => {
  const { dy, x, kernel } = inputs;
  const y = inputs.y as TensorInfo | undefined;
  const activation = fusedActivationCode(attrs.activation);
  const dyv = backend.f32(dy);
  const xv = backend.f32(x);
  const kv = backend.f32(kernel);
  const yv = y ? backend.f32(y) : null;
  if (activation === null || !dyv || !xv || !kv || (activation !== 0 && !yv)) {
    throw new Error(`${DENSE_GRAD}: expected float32 inputs and a supported activation`);
  }
  const [batch, inUnits] = x.shape;
  const units = kernel.shape[1];
  const alpha = alphaOf(attrs);
  if (attrs.part === 'input') {
    const dx = backend.alloc(batch * inUnits);
    backend.addon.denseGrad(dyv, xv, kv, yv, dx, null, null, batch, inUnits, units, activation, alpha);
    return [backend.output([batch, inUnits], dx)];
  }
  const dKernel = backend.alloc(inUnits * units);
  const dBias = backend.alloc(units);
  backend.addon.denseGrad(dyv, xv, kv, yv, null, dKernel, dBias, batch, inUnits, units, activation, alpha);
  return [backend.output([inUnits, units], dKernel), backend.output([units], dBias)];
});

const denseGradConfig: GradConfig = {
  kernelName: DENSE,
  inputsToSave: ['x', 'kernel'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, kernel, y] = saved;
    const inputs = { dy: dy as Tensor, x, kernel, y };
    const gradAttrs = { activation: attrs.activation, leakyreluAlpha: attrs.leakyreluAlpha };
    // Eager: the tape disposes what it does not use at the end of the backward pass.
    const [dKernel, dBias] = engine().runKernel(DENSE_GRAD, inputs, {
      ...gradAttrs,
      part: 'params',
    }) as Tensor[];
    return {
      x: () => (engine().runKernel(DENSE_GRAD, inputs, { ...gradAttrs, part: 'input' }) as Tensor[])[0],
      kernel: () => dKernel,
      bias: () => dBias,
    };
  },
};
registerGradient(denseGradConfig);

export const denseKernels = [denseForward, denseGrad];
