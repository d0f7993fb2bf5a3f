/**
 * Conv2D, FusedConv2D (bias + activation), Conv2DBackpropInput and Conv2DBackpropFilter,
 * NHWC float32, over the addon's im2col + GEMM (addon/conv.cc). NCHW, prelu and unusual
 * bias shapes fall back to the cpu kernels.
 */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../native-backend.js';
import { nativeKernel } from '../kernel-util.js';
import { fusedActivationCode } from './activation.js';
import { packConvGeometry } from './conv-geometry.js';

export interface ConvAddon {
  /**
   * y = act(conv2d(x, filter) + bias): x NHWC, filter HWIO [FH, FW, C, OC], y NHWC; bias
   * holds OC values or is null. `geometry` comes from packConvGeometry.
   */
  conv2d(
    x: Float32Array,
    filter: Float32Array,
    y: Float32Array,
    geometry: Int32Array,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
  ): void;
  /** dx (NHWC, the conv's input shape) = gradient of sum(conv2d(x, filter) * dy) w.r.t. x. */
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  /** dw (HWIO) = gradient of sum(conv2d(x, filter) * dy) w.r.t. the filter. */
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: Int32Array): void;
}

type Shape4 = [number, number, number, number];
type Strides = number | [number, number];
type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** The channels-last conv geometry, or null for NCHW and non-4D shapes. */
function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: Record<string, unknown>,
  dilations: Strides,
): backend_util.Conv2DInfo | null {
  const dataFormat = attrs.dataFormat as string | undefined;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') return null;
  if (xShape.length !== 4 || filterShape.length !== 4) return null;
  const info = backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides as Strides,
    dilations,
    attrs.pad as Pad,
    attrs.dimRoundingMode as Rounding,
    false,
    'channelsLast',
  );
  // The filter's input depth must be the image's (the op checks this; a kernel call may not).
  return filterShape[2] === info.inChannels ? info : null;
}

/** Whether the output would be empty (left to JS, which has nothing to compute either). */
const isEmpty = (shape: number[]) => util.sizeFromShape(shape) === 0;

function conv2d(
  backend: NativeBackend,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown>,
  bias: TensorInfo | undefined,
  activation: number,
  alpha: number,
): TensorInfo | null {
  const { x, filter } = inputs;
  const xv = backend.f32(x);
  const wv = backend.f32(filter);
  if (!xv || !wv) return null;
  const info = convInfo(x.shape, filter.shape, attrs, (attrs.dilations as Strides | undefined) ?? 1);
  if (!info || isEmpty(info.outShape) || isEmpty(x.shape)) return null;
  let biasValues: Float32Array | null = null;
  if (bias) {
    biasValues = backend.f32(bias);
    if (!biasValues || !isChannelBias(bias.shape, info.outChannels)) return null;
  }
  const y = backend.alloc(util.sizeFromShape(info.outShape));
  backend.addon.conv2d(xv, wv, y, packConvGeometry(info)!, biasValues, activation, alpha);
  return backend.output(info.outShape, y);
}

/** A bias that broadcasts as one value per output channel: [OC], [1, 1, OC], ... */
function isChannelBias(shape: number[], outChannels: number): boolean {
  if (shape.length > 4 || util.sizeFromShape(shape) !== outChannels) return false;
  return outChannels === 1 || shape[shape.length - 1] === outChannels;
}

export const conv2D = nativeKernel('Conv2D', ({ inputs, backend, attrs }) =>
  conv2d(backend, inputs, attrs, undefined, 0, 0),
);

export const fusedConv2D = nativeKernel('FusedConv2D', ({ inputs, backend, attrs }) => {
  const activation = fusedActivationCode(attrs.activation);
  if (activation === null || (inputs.preluActivationWeights as TensorInfo | undefined)) return null;
  const alpha = (attrs.leakyreluAlpha as number | undefined) ?? 0.2;
  return conv2d(backend, inputs, attrs, inputs.bias as TensorInfo | undefined, activation, alpha);
});

export const conv2DBackpropInput = nativeKernel('Conv2DBackpropInput', ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs;
  const dyv = backend.f32(dy);
  const wv = backend.f32(filter);
  if (!dyv || !wv) return null;
  const inputShape = attrs.inputShape as number[];
  const info = convInfo(inputShape, filter.shape, attrs, 1);
  if (!info || !util.arraysEqual(dy.shape, info.outShape) || isEmpty(inputShape) || isEmpty(dy.shape))
    return null;
  const dx = backend.alloc(util.sizeFromShape(inputShape));
  backend.addon.conv2dBackpropInput(dyv, wv, dx, packConvGeometry(info)!);
  return backend.output(inputShape, dx);
});

export const conv2DBackpropFilter = nativeKernel('Conv2DBackpropFilter', ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  const xv = backend.f32(x);
  const dyv = backend.f32(dy);
  if (!xv || !dyv) return null;
  const filterShape = attrs.filterShape as number[];
  const info = convInfo(x.shape, filterShape, attrs, 1);
  if (!info || !util.arraysEqual(dy.shape, info.outShape) || isEmpty(filterShape) || isEmpty(x.shape))
    return null;
  const dw = backend.alloc(util.sizeFromShape(filterShape));
  backend.addon.conv2dBackpropFilter(xv, dyv, dw, packConvGeometry(info)!);
  return backend.output(filterShape, dw);
});

export const convKernels = [conv2D, fusedConv2D, conv2DBackpropInput, conv2DBackpropFilter];
