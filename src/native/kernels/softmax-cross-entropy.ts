/** Fused softmax cross-entropy (forward and gradient). */
import type { NativeKernel } from '../kernel-util.js';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface LossAddon {}

export const lossKernels: NativeKernel[] = [];
