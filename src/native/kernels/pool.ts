/**
 * MaxPool, AvgPool, MaxPoolGrad and AvgPoolGrad, NHWC float32 (addon/pool.cc), with the
 * tie-breaking, NaN and padding rules of the tfjs cpu kernels.
 */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../native-backend.js';
import { nativeKernel } from '../kernel-util.js';
import { packConvGeometry } from './conv-geometry.js';

export interface PoolAddon {
  /** y = max over each window of x (NaN ignored; -Infinity for a window with none). */
  maxPool(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  /** y = mean over each window's in-image positions of x. */
  avgPool(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  /** dx = dy routed to the first maximum of each window of x. */
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  /** dx = dy spread over each window, divided by the filter size. */
  avgPoolGrad(dy: Float32Array, dx: Float32Array, geometry: Int32Array): void;
}

type PoolSize = number | [number, number];
type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** The pool geometry of a 4D input, or null when the native kernels do not apply. */
function poolInfo(
  xShape: number[],
  attrs: Record<string, unknown>,
  rounding: Rounding,
): backend_util.Conv2DInfo | null {
  if (xShape.length !== 4 || util.sizeFromShape(xShape) === 0) return null;
  const info = backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize as PoolSize,
    attrs.strides as PoolSize,
    1,
    attrs.pad as Pad,
    rounding,
  );
  return util.sizeFromShape(info.outShape) === 0 ? null : info;
}

function pool(
  backend: NativeBackend,
  x: TensorInfo,
  attrs: Record<string, unknown>,
  run: (x: Float32Array, y: Float32Array, g: Int32Array) => void,
): TensorInfo | null {
  const xv = backend.f32(x);
  if (!xv) return null;
  const info = poolInfo(x.shape, attrs, attrs.dimRoundingMode as Rounding);
  if (!info) return null;
  // A 1x1 window that keeps the shape is the identity, which the cpu kernel does without a copy.
  if (info.filterHeight === 1 && info.filterWidth === 1 && util.arraysEqual(info.inShape, info.outShape))
    return null;
  const y = backend.alloc(util.sizeFromShape(info.outShape));
  run(xv, y, packConvGeometry(info)!);
  return backend.output(info.outShape, y);
}

export const maxPool = nativeKernel('MaxPool', ({ inputs, backend, attrs }) =>
  pool(backend, inputs.x, attrs, (x, y, g) => backend.addon.maxPool(x, y, g)),
);

export const avgPool = nativeKernel('AvgPool', ({ inputs, backend, attrs }) =>
  pool(backend, inputs.x, attrs, (x, y, g) => backend.addon.avgPool(x, y, g)),
);

export const maxPoolGrad = nativeKernel('MaxPoolGrad', ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs;
  const dyv = backend.f32(dy);
  const xv = backend.f32(input);
  if (!dyv || !xv) return null;
  const info = poolInfo(input.shape, attrs, attrs.dimRoundingMode as Rounding);
  if (!info || !util.arraysEqual(dy.shape, info.outShape)) return null;
  const dx = backend.alloc(util.sizeFromShape(input.shape));
  backend.addon.maxPoolGrad(dyv, xv, dx, packConvGeometry(info)!);
  return backend.output(input.shape, dx);
});

export const avgPoolGrad = nativeKernel('AvgPoolGrad', ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs;
  const dyv = backend.f32(dy);
  if (!dyv || input.shape.length !== 4) return null;
  // As the cpu kernel: the geometry ignores any rounding mode of the forward pool.
  const info = poolInfo(input.shape, attrs, undefined);
  if (!info || !util.arraysEqual(dy.shape, info.outShape)) return null;
  const dx = backend.alloc(util.sizeFromShape(input.shape));
  backend.addon.avgPoolGrad(dyv, dx, packConvGeometry(info)!);
  return backend.output(input.shape, dx);
});

export const poolKernels = [maxPool, avgPool, maxPoolGrad, avgPoolGrad];
