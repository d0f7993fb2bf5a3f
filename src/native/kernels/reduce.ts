/**
 * Reductions (Sum, Mean, Prod, Max, Min, ArgMax, ArgMin) of float32 tensors, plus the
 * Softmax and Transpose kernels, which live in their own files.
 *
 * A reduction over any set of axes is brought to the layout [outer, mid, inner] with mid
 * reduced: size-1 axes are ignored, so the reduced axes usually form one block. When they
 * do not (e.g. axes 0 and 2 of a 3-D tensor), the tensor is first transposed natively so
 * that they come last, as the tfjs cpu kernels do.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../native-backend.js';
import { nativeKernel } from '../kernel-util.js';
import { softmax } from './softmax.js';
import { transpose, transposeInto } from './transpose.js';

export interface ReduceAddon {
  /**
   * out[o, k] = op over m of x[o, m, k] for a tensor laid out [outer, mid, inner]; op is
   * one of {@link REDUCE_OP}. Sum, Mean and Prod accumulate in double.
   */
  reduce(x: Float32Array, out: Float32Array, op: number, outer: number, mid: number, inner: number): void;
  /** out[o, k] = first index m of the largest (isMin: smallest) x[o, m, k]. */
  argReduce(
    x: Float32Array,
    out: Int32Array,
    isMin: boolean,
    outer: number,
    mid: number,
    inner: number,
  ): void;
  /** Softmax over each row of `cols` values. */
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /**
   * Transposes a tensor of 4-byte elements; desc = [rank, shape..., perm...] (rank <= 32),
   * perm as in tfjs (output axis i is input axis perm[i]).
   */
  transpose(x: Float32Array | Int32Array, out: Float32Array | Int32Array, desc: Int32Array): void;
}

/** Op codes of `reduce`, shared with src/native/addon/reduce.cc. */
export const REDUCE_OP = { sum: 0, mean: 1, prod: 2, max: 3, min: 4 } as const;
type ReduceOp = (typeof REDUCE_OP)[keyof typeof REDUCE_OP];

/**
 * The reduced axes as a bit mask (null, as in tfjs, means every axis), or null when the
 * attribute is one the JS kernel should judge (out of range, repeated, rank over 30).
 */
function axisMask(axis: unknown, rank: number): number | null {
  if (rank > 30) return null;
  if (axis === null || axis === undefined) return 2 ** rank - 1;
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list)) return null;
  let mask = 0;
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) return null;
    const bit = 1 << (a < 0 ? a + rank : a);
    if (mask & bit) return null;
    mask |= bit;
  }
  return mask;
}

function reduce(
  backend: NativeBackend,
  x: TensorInfo,
  op: ReduceOp,
  axis: unknown,
  keepDims: unknown,
): TensorInfo | null {
  const values = backend.f32(x);
  if (!values) return null;
  const shape = x.shape;
  const rank = shape.length;
  const mask = axisMask(axis, rank);
  if (mask === null) return null;
  const outShape: number[] = [];
  let outSize = 1;
  let reduceSize = 1;
  // [outer, mid, inner]: kept axes before the first reduced one, the reduced block, and
  // kept axes after it; a reduced axis after those breaks the block.
  let outer = 1;
  let mid = 1;
  let inner = 1;
  let phase: 'outer' | 'mid' | 'inner' = 'outer';
  let oneBlock = true;
  for (let d = 0; d < rank; d++) {
    const n = shape[d];
    if (mask & (1 << d)) {
      reduceSize *= n;
      if (keepDims) outShape.push(1);
      if (n === 1) continue;
      if (phase === 'inner') oneBlock = false;
      phase = 'mid';
      mid *= n;
    } else {
      outSize *= n;
      outShape.push(n);
      if (n === 1) continue;
      if (phase === 'outer') outer *= n;
      else {
        phase = 'inner';
        inner *= n;
      }
    }
  }
  const out = backend.alloc(outSize);
  if (outSize === 0) return backend.output(outShape, out);
  if (reduceSize === 0) {
    backend.addon.reduce(values, out, op, outSize, 0, 1);
  } else if (oneBlock) {
    backend.addon.reduce(values, out, op, outer, mid, inner);
  } else {
    // Kept axes first, then the reduced ones, each in their order.
    const perm: number[] = [];
    for (let d = 0; d < rank; d++) if (!(mask & (1 << d))) perm.push(d);
    for (let d = 0; d < rank; d++) if (mask & (1 << d)) perm.push(d);
    const moved = backend.alloc(outSize * reduceSize);
    transposeInto(backend, values, shape, perm, moved);
    backend.addon.reduce(moved, out, op, outSize, reduceSize, 1);
    backend.pool.release(moved);
  }
  return backend.output(outShape, out);
}

function argReduce(
  backend: NativeBackend,
  x: TensorInfo,
  axisAttr: unknown,
  isMin: boolean,
): TensorInfo | null {
  const values = backend.f32(x);
  if (!values) return null;
  const shape = x.shape;
  const rank = shape.length;
  const a = Array.isArray(axisAttr) && axisAttr.length === 1 ? axisAttr[0] : axisAttr;
  if (typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank) return null;
  const axis = a < 0 ? a + rank : a;
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d];
  for (let d = axis + 1; d < rank; d++) inner *= shape[d];
  const out = new Int32Array(outer * inner);
  if (out.length > 0) backend.addon.argReduce(values, out, isMin, outer, shape[axis], inner);
  const outShape = shape.filter((_, d) => d !== axis);
  return backend.makeTensorInfo(outShape, 'int32', out);
}

export const sum = nativeKernel('Sum', ({ inputs, backend, attrs }) =>
  reduce(backend, inputs.x, REDUCE_OP.sum, attrs.axis, attrs.keepDims),
);
export const mean = nativeKernel('Mean', ({ inputs, backend, attrs }) =>
  reduce(backend, inputs.x, REDUCE_OP.mean, attrs.axis, attrs.keepDims),
);
export const prod = nativeKernel('Prod', ({ inputs, backend, attrs }) =>
  reduce(backend, inputs.x, REDUCE_OP.prod, attrs.axis, attrs.keepDims),
);
export const max = nativeKernel('Max', ({ inputs, backend, attrs }) =>
  reduce(backend, inputs.x, REDUCE_OP.max, attrs.reductionIndices, attrs.keepDims),
);
export const min = nativeKernel('Min', ({ inputs, backend, attrs }) =>
  reduce(backend, inputs.x, REDUCE_OP.min, attrs.axis, attrs.keepDims),
);
export const argMax = nativeKernel('ArgMax', ({ inputs, backend, attrs }) =>
  argReduce(backend, inputs.x, attrs.axis, false),
);
export const argMin = nativeKernel('ArgMin', ({ inputs, backend, attrs }) =>
  argReduce(backend, inputs.x, attrs.axis, true),
);

export const reduceKernels = [sum, mean, prod, max, min, argMax, argMin, softmax, transpose];
