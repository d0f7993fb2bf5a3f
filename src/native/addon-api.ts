/**
 * The JavaScript face of the C++ addon (src/native/addon). Each kernel family declares
 * the functions it calls in its own file; this type is their union.
 */
import type { MatmulAddon } from './kernels/matmul.js';
import type { ElementwiseAddon } from './kernels/elementwise.js';
import type { ReduceAddon } from './kernels/reduce.js';
import type { ConvAddon } from './kernels/conv.js';
import type { PoolAddon } from './kernels/pool.js';
import type { LossAddon } from './kernels/softmax-cross-entropy.js';
import type { OptimAddon } from './optimizer-updates.js';
import type { DenseAddon } from './kernels/dense.js';
import type { PenaltyAddon } from './kernels/penalty.js';
import type { PathIntegralAddon } from './kernels/path-integral.js';

/**
 * A GEMM the addon can run: a system BLAS, unforget's own portable kernel, or `auto`
 * (portable for small products, the BLAS for products large enough to split across cores).
 */
export type GemmName = 'openblas' | 'accelerate' | 'portable' | 'auto';

export interface CoreAddon {
  /**
   * The GEMM every native kernel runs now: the system BLAS the addon was linked with, else
   * the portable kernel (see {@link CoreAddon.setGemm}).
   */
  readonly gemm: GemmName;
  /** The GEMMs this build has: the linked BLAS (if any), 'portable', 'auto' (with a BLAS). */
  readonly gemms: readonly GemmName[];
  /**
   * Switches the GEMM of every native kernel: 'portable', 'auto', or 'blas' (or the BLAS's
   * own name) for the linked one. Throws for a GEMM this build lacks.
   */
  setGemm(name: GemmName | 'blas'): void;
  /** Threads of the GEMM (OpenBLAS honours OPENBLAS_NUM_THREADS at load). */
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /**
   * out = alpha * op(a) @ op(b) + beta * out on the portable GEMM whatever `gemm` is, where
   * op(a) is m x k and op(b) k x n (row-major; a transposed one is stored k x m / n x k),
   * with leading dimensions defaulting to the stored row lengths. beta = 0 (the default)
   * writes `out` without reading it. Throws a RangeError when an array is too short.
   */
  portableMatmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
    alpha?: number,
    beta?: number,
    lda?: number,
    ldb?: number,
    ldc?: number,
  ): void;
}

export type NativeAddon = CoreAddon &
  MatmulAddon &
  ElementwiseAddon &
  ReduceAddon &
  ConvAddon &
  PoolAddon &
  LossAddon &
  OptimAddon &
  DenseAddon &
  PenaltyAddon &
  PathIntegralAddon;
