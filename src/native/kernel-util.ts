/**
 * Shared plumbing for native kernels: every native kernel tries the addon and, when the
 * inputs are outside what it handles (dtype, layout, attribute), runs the inherited
 * JS kernel of the `cpu` backend instead.
 */
import { getKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from './native-backend.js';

export interface NativeKernelArgs {
  /** The kernel's inputs by name; optional ones (a bias) may be missing at run time. */
  inputs: Record<string, TensorInfo>;
  backend: NativeBackend;
  attrs: NamedAttrMap;
}

/** A native kernel body: returns its outputs, or null to fall back to the JS kernel. */
export type NativeKernelBody = (args: NativeKernelArgs) => TensorInfo | TensorInfo[] | null;

/** A kernel registration for the `native` backend: the native body, with the cpu kernel as fallback. */
export interface NativeKernel {
  kernelName: string;
  run: NativeKernelBody;
}

export function nativeKernel(kernelName: string, run: NativeKernelBody): NativeKernel {
  return { kernelName, run };
}

/** Turns a native kernel into a tfjs kernel config for `backendName`. */
export function toKernelConfig(kernel: NativeKernel, backendName: string): KernelConfig {
  const jsKernel = getKernel(kernel.kernelName, 'cpu');
  const fallback: KernelFunc | undefined = jsKernel?.kernelFunc;
  const kernelFunc: KernelFunc = (params) => {
    const args = params as unknown as NativeKernelArgs;
    const out = kernel.run({ inputs: args.inputs, backend: args.backend, attrs: args.attrs ?? {} });
    if (out !== null) {
      args.backend.countCall(kernel.kernelName, true);
      return out;
    }
    if (!fallback)
      throw new Error(`native ${kernel.kernelName}: inputs not supported and no cpu kernel to fall back to`);
    args.backend.countCall(kernel.kernelName, false);
    return fallback(params);
  };
  return {
    kernelName: kernel.kernelName,
    backendName,
    kernelFunc,
    setupFunc: jsKernel?.setupFunc,
    disposeFunc: jsKernel?.disposeFunc,
  };
}
