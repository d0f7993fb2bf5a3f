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

export interface CoreAddon {
  /** The GEMM compiled in: a system BLAS or unforget's own portable kernel. */
  readonly gemm: 'openblas' | 'accelerate' | 'portable';
  /** Threads used by the GEMM (OpenBLAS honours OPENBLAS_NUM_THREADS at load). */
  setNumThreads(n: number): void;
  getNumThreads(): number;
}

export type NativeAddon = CoreAddon &
  MatmulAddon &
  ElementwiseAddon &
  ReduceAddon &
  ConvAddon &
  PoolAddon &
  LossAddon &
  OptimAddon;
