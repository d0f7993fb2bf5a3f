/**
 * Registers the `native` tfjs backend: every `cpu` kernel, with the native ones on top.
 */
import '@tensorflow/tfjs-backend-cpu';
import { getKernelsForBackend, registerBackend, registerKernel } from '@tensorflow/tfjs-core';
import { loadAddon } from './addon-loader.js';
import { toKernelConfig } from './kernel-util.js';
import { nativeKernels } from './kernels/index.js';
import { NativeBackend, type NativeBackendOptions } from './native-backend.js';

export const NATIVE_BACKEND = 'native';

/** `gemm`: the GEMM the backend runs on (see NativeBackendOptions.gemm). */
export type NativeRegistration = { ok: true; gemm: string } | { ok: false; reason: string };

let registration: NativeRegistration | undefined;

/**
 * Options read from the environment: UNFORGET_THREADS (else OPENBLAS_NUM_THREADS, so that a
 * limit set for OpenBLAS also holds for unforget's own GEMM and workers), UNFORGET_POOL=0,
 * UNFORGET_GEMM.
 */
export function nativeOptionsFromEnv(env = process.env): NativeBackendOptions {
  const options: NativeBackendOptions = {};
  const threadsVar = env.UNFORGET_THREADS
    ? 'UNFORGET_THREADS'
    : env.OPENBLAS_NUM_THREADS
      ? 'OPENBLAS_NUM_THREADS'
      : null;
  if (threadsVar) {
    const threads = Number(env[threadsVar]);
    if (!Number.isInteger(threads) || threads < 1) {
      throw new Error(`${threadsVar}: expected a positive integer, got "${env[threadsVar]}"`);
    }
    options.threads = threads;
  }
  if (env.UNFORGET_POOL === '0') options.pool = false;
  if (env.UNFORGET_GEMM) {
    const gemms = ['auto', 'portable', 'blas', 'openblas', 'accelerate'];
    if (!gemms.includes(env.UNFORGET_GEMM)) {
      throw new Error(`UNFORGET_GEMM: expected one of ${gemms.join(', ')}, got "${env.UNFORGET_GEMM}"`);
    }
    options.gemm = env.UNFORGET_GEMM as NativeBackendOptions['gemm'];
  }
  return options;
}

/**
 * Registers the backend once (later calls return the first result). The backend object is
 * created lazily by tfjs when the backend is first selected.
 */
export function registerNativeBackend(
  options: NativeBackendOptions = nativeOptionsFromEnv(),
): NativeRegistration {
  if (registration) return registration;
  const load = loadAddon();
  if (!load.ok) return (registration = { ok: false, reason: load.reason });
  const addon = load.addon;
  registerBackend(NATIVE_BACKEND, () => new NativeBackend(addon, options), 0);
  const overridden = new Set(nativeKernels.map((k) => k.kernelName));
  for (const kernel of getKernelsForBackend('cpu')) {
    if (!overridden.has(kernel.kernelName)) registerKernel({ ...kernel, backendName: NATIVE_BACKEND });
  }
  for (const kernel of nativeKernels) registerKernel(toKernelConfig(kernel, NATIVE_BACKEND));
  return (registration = { ok: true, gemm: resolveGemm(addon.gemms, options.gemm) });
}

/** The GEMM a backend made with `choice` runs on; refuses a GEMM this build lacks. */
function resolveGemm(available: readonly string[], choice: NativeBackendOptions['gemm'] = 'auto'): string {
  if (choice === 'portable') return choice;
  const blas = available.find((g) => g !== 'portable' && g !== 'auto');
  // Without a BLAS, `auto` is the portable GEMM.
  if (choice === 'auto') return blas ? 'auto' : 'portable';
  if (!blas || (choice !== 'blas' && choice !== blas)) {
    throw new Error(`gemm: "${choice}" is not in this build of the addon (it has ${available.join(', ')})`);
  }
  return blas;
}

/** Names of the kernels the native backend runs in C++ (when their inputs allow). */
export function nativeKernelNames(): string[] {
  return nativeKernels.map((k) => k.kernelName);
}
