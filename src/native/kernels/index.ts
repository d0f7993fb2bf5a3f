/** Every native kernel, by family. Kernels not listed here run the inherited cpu JS kernel. */
import type { NativeKernel } from '../kernel-util.js';
import { convKernels } from './conv.js';
import { denseKernels } from './dense.js';
import { elementwiseKernels } from './elementwise.js';
import { lossKernels } from './softmax-cross-entropy.js';
import { matmulKernels } from './matmul.js';
import { pathIntegralKernels } from './path-integral.js';
import { penaltyKernels } from './penalty.js';
import { poolKernels } from './pool.js';
import { reduceKernels } from './reduce.js';

export const nativeKernels: readonly NativeKernel[] = [
  ...matmulKernels,
  ...elementwiseKernels,
  ...reduceKernels,
  ...convKernels,
  ...poolKernels,
  ...lossKernels,
  ...denseKernels,
  ...penaltyKernels,
  ...pathIntegralKernels,
];
