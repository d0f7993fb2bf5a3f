/** BatchMatMul and _FusedMatMul (bias + activation) over the addon's GEMM. */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../native-backend.js';
import { nativeKernel } from '../kernel-util.js';
import { fusedActivationCode } from './activation.js';

export interface MatmulAddon {
  /**
   * out[b] = act(op(a[b]) @ op(b[b]) + bias) for b < max(batchA, batchB); a batch of 1
   * broadcasts. bias holds n (a row), m*n (one matrix) or batch*m*n values.
   */
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
  ): void;
}

function matmul(
  backend: NativeBackend,
  a: TensorInfo,
  b: TensorInfo,
  transA: boolean,
  transB: boolean,
  bias: TensorInfo | undefined,
  activation: number,
  alpha: number,
): TensorInfo | null {
  const av = backend.f32(a);
  const bv = backend.f32(b);
  if (!av || !bv || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const k2 = transB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== k2) return null; // the JS kernel raises tfjs's own error
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = util.sizeFromShape(outerA);
  const batchB = util.sizeFromShape(outerB);
  // Broadcasting between two real batch shapes (e.g. [2,1] x [1,3]) is left to JS.
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  const outShape = [...backend_util.assertAndGetBroadcastShape(outerA, outerB), m, n];
  const batch = Math.max(batchA, batchB);
  let biasValues: Float32Array | null = null;
  if (bias) {
    biasValues = backend.f32(bias);
    if (!biasValues || !biasLayoutSupported(bias.shape, outShape, m, n, batch)) return null;
  }
  const out = backend.alloc(batch * m * n);
  backend.addon.matmul(av, bv, out, batchA, batchB, m, n, k, transA, transB, biasValues, activation, alpha);
  return backend.output(outShape, out);
}

/** Bias shapes the addon handles: a row of n, one m x n matrix, or the full output. */
function biasLayoutSupported(
  shape: number[],
  outShape: number[],
  m: number,
  n: number,
  batch: number,
): boolean {
  if (shape.length > outShape.length || shape.length === 0 || shape[shape.length - 1] !== n) return false;
  const size = util.sizeFromShape(shape);
  if (size === n) return true;
  if (size === m * n) return shape.length >= 2 && shape[shape.length - 2] === m;
  const squeeze = (s: number[]) => s.filter((d) => d !== 1);
  return size === batch * m * n && util.arraysEqual(squeeze(shape), squeeze(outShape));
}

export const batchMatMul = nativeKernel('BatchMatMul', ({ inputs, backend, attrs }) =>
  matmul(backend, inputs.a, inputs.b, !!attrs.transposeA, !!attrs.transposeB, undefined, 0, 0),
);

export const fusedMatMul = nativeKernel('_FusedMatMul', ({ inputs, backend, attrs }) => {
  const activation = fusedActivationCode(attrs.activation);
  if (activation === null || (inputs.preluActivationWeights as TensorInfo | undefined)) return null;
  return matmul(
    backend,
    inputs.a,
    inputs.b,
    !!attrs.transposeA,
    !!attrs.transposeB,
    inputs.bias as TensorInfo | undefined,
    activation,
    (attrs.leakyreluAlpha as number | undefined) ?? 0.2,
  );
});

export const matmulKernels = [batchMatMul, fusedMatMul];
