/** Reduce kernels of the native backend. */
import type { NativeKernel } from '../kernel-util.js';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ReduceAddon {}

export const reduceKernels: NativeKernel[] = [];
