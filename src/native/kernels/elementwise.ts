/**
 * Elementwise kernels of the native backend: broadcasting binary ops, unary ops and casts,
 * on float32 (casts also read and write int32 and bool). Other dtypes, complex64 included,
 * return null and run the cpu JS kernel.
 *
 * Results equal the cpu kernels' (JS double arithmetic rounded to float32) bit for bit,
 * NaN, infinity and -0 cases included, except exp, log, tanh, sigmoid and elu, which may
 * differ from them by 1 ulp in rare cases (see addon/elementwise-math.h).
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { nativeKernel } from '../kernel-util.js';
import type { NativeKernel } from '../kernel-util.js';
import type { NativeBackend } from '../native-backend.js';
import { BroadcastPlan } from './elementwise-broadcast.js';

type CastArray = Float32Array | Int32Array | Uint8Array;

export interface ElementwiseAddon {
  /**
   * out = a op b with numpy broadcasting, for a {@link BINARY_OP} code. `broadcast` is a
   * {@link BroadcastPlan}'s (checked against the arrays' lengths); out has the output's size.
   */
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    broadcast: number | Int32Array,
  ): void;
  /** out[i] = op(x[i]) for a {@link UNARY_OP} code; alpha is LeakyRelu's slope and Step's value at x <= 0. */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /** A {@link CAST_OP}; the arrays must have the element types that the code names. */
  cast(op: number, x: CastArray, out: CastArray): void;
}

/** Binary op codes of the addon (addon/elementwise.cc). */
export const BINARY_OP = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  Maximum: 4,
  Minimum: 5,
  SquaredDifference: 6,
} as const;

/** Unary op codes of the addon (addon/elementwise.cc). */
export const UNARY_OP = {
  Relu: 0,
  Relu6: 1,
  LeakyRelu: 2,
  Step: 3,
  Exp: 4,
  Log: 5,
  Neg: 6,
  Sqrt: 7,
  Square: 8,
  Sigmoid: 9,
  Tanh: 10,
  Abs: 11,
  Elu: 12,
  Rsqrt: 13,
  Reciprocal: 14,
} as const;

/** Cast codes of the addon (addon/elementwise.cc). */
export const CAST_OP = { f32ToI32: 0, f32ToBool: 1, i32ToF32: 2, boolToF32: 3, i32ToBool: 4 } as const;

// One plan reused by every call: kernels run one at a time and read it before returning.
const plan = new BroadcastPlan();

function binary(backend: NativeBackend, a: TensorInfo, b: TensorInfo, op: number): TensorInfo | null {
  const av = backend.f32(a);
  if (av === null) return null;
  const bv = backend.f32(b);
  if (bv === null) return null;
  const outShape = plan.plan(a.shape, b.shape, av.length, bv.length);
  if (outShape === null) return null;
  const out = backend.alloc(plan.size);
  if (plan.size > 0) backend.addon.binary(op, av, bv, out, plan.broadcast);
  return backend.output(outShape, out);
}

function binaryKernel(kernelName: keyof typeof BINARY_OP): NativeKernel {
  const op = BINARY_OP[kernelName];
  return nativeKernel(kernelName, ({ inputs, backend }) => binary(backend, inputs.a, inputs.b, op));
}

function unary(backend: NativeBackend, x: TensorInfo, op: number, alpha: number): TensorInfo | null {
  const xv = backend.f32(x);
  if (xv === null) return null;
  const out = backend.alloc(xv.length);
  if (xv.length > 0) backend.addon.unary(op, xv, out, alpha);
  return backend.output(x.shape, out);
}

function unaryKernel(kernelName: keyof typeof UNARY_OP): NativeKernel {
  const op = UNARY_OP[kernelName];
  if (kernelName === 'LeakyRelu' || kernelName === 'Step') {
    return nativeKernel(kernelName, ({ inputs, backend, attrs }) =>
      unary(backend, inputs.x, op, attrs.alpha as number),
    );
  }
  return nativeKernel(kernelName, ({ inputs, backend }) => unary(backend, inputs.x, op, 0));
}

/**
 * Cast between float32, int32 and bool. Casts the cpu kernel does without copying (to the
 * same dtype, bool to int32) are left to it, as are complex64 and string. int32 -> float32
 * and bool -> float32, which the cpu kernel also does without copying (the float32 tensor
 * keeps the Int32Array or Uint8Array), are converted here so that the result is a real
 * Float32Array that the other native kernels accept; int32 values beyond +-2^24 are then
 * rounded to float32, as any float32 tensor would hold them.
 */
function cast(backend: NativeBackend, x: TensorInfo, dtype: DataType): TensorInfo | null {
  const values = backend.data.get(x.dataId)?.values;
  let op: number;
  if (x.dtype === 'float32' && values instanceof Float32Array) {
    if (dtype === 'int32') op = CAST_OP.f32ToI32;
    else if (dtype === 'bool') op = CAST_OP.f32ToBool;
    else return null;
  } else if (x.dtype === 'int32' && values instanceof Int32Array) {
    if (dtype === 'float32') op = CAST_OP.i32ToF32;
    else if (dtype === 'bool') op = CAST_OP.i32ToBool;
    else return null;
  } else if (x.dtype === 'bool' && values instanceof Uint8Array && dtype === 'float32') {
    op = CAST_OP.boolToF32;
  } else {
    return null;
  }
  const n = values.length;
  if (dtype === 'float32') {
    const out = backend.alloc(n);
    if (n > 0) backend.addon.cast(op, values, out);
    return backend.output(x.shape, out);
  }
  const out = dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
  if (n > 0) backend.addon.cast(op, values, out);
  return backend.makeTensorInfo(x.shape, dtype, out);
}

export const elementwiseKernels: NativeKernel[] = [
  binaryKernel('Add'),
  binaryKernel('Sub'),
  binaryKernel('Multiply'),
  binaryKernel('RealDiv'),
  binaryKernel('Maximum'),
  binaryKernel('Minimum'),
  binaryKernel('SquaredDifference'),
  unaryKernel('Relu'),
  unaryKernel('Relu6'),
  unaryKernel('LeakyRelu'),
  unaryKernel('Step'),
  unaryKernel('Exp'),
  unaryKernel('Log'),
  unaryKernel('Neg'),
  unaryKernel('Sqrt'),
  unaryKernel('Square'),
  unaryKernel('Sigmoid'),
  unaryKernel('Tanh'),
  unaryKernel('Abs'),
  unaryKernel('Elu'),
  unaryKernel('Rsqrt'),
  unaryKernel('Reciprocal'),
  nativeKernel('Cast', ({ inputs, backend, attrs }) => cast(backend, inputs.x, attrs.dtype as DataType)),
];
