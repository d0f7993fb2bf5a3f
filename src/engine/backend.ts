/**
 * Chooses the TensorFlow.js backend unforget trains on: `native` when its addon is built,
 * else `cpu`. UNFORGET_BACKEND (or the `backend` option) overrides the choice.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { NATIVE_BACKEND, registerNativeBackend } from '../native/register.js';
import { rebuildCommand } from '../native/addon-loader.js';
import type { NativeBackend, NativeBackendOptions } from '../native/native-backend.js';

export const BACKEND_NAMES = ['native', 'cpu', 'wasm'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface EngineOptions {
  /** Force a backend; default: UNFORGET_BACKEND, else `native` when available, else `cpu`. */
  backend?: BackendName;
  /** Options of the native backend (threads, output pool). */
  native?: NativeBackendOptions;
  /** Where the one-time warning goes when native is unavailable (default: console.warn). */
  warn?: (message: string) => void;
}

export interface EngineInfo {
  backend: BackendName;
  /** For `native`: which GEMM it runs on (portable, openblas, accelerate). */
  gemm?: string;
  /** Why `native` was not used, when it was not. */
  nativeUnavailable?: string;
}

let warned = false;

function parseBackend(value: string, field: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`${field}: expected one of ${BACKEND_NAMES.join(', ')}, got "${value}"`);
}

/** Selects and initialises the backend; returns what was chosen and why. */
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const requested =
    options.backend ??
    (process.env.UNFORGET_BACKEND
      ? parseBackend(process.env.UNFORGET_BACKEND, 'UNFORGET_BACKEND')
      : undefined);
  const native = registerNativeBackend(options.native);
  if (requested === 'native' && !native.ok) {
    throw new Error(`backend "native" was requested but ${native.reason}; run ${rebuildCommand()}`);
  }
  let backend: BackendName = requested ?? (native.ok ? 'native' : 'cpu');
  if (backend === 'wasm') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
    } catch {
      throw new Error('backend "wasm" needs the optional package @tensorflow/tfjs-backend-wasm');
    }
  }
  if (!requested && !native.ok && !warned) {
    warned = true;
    (options.warn ?? console.warn)(
      `unforget: using the slow tfjs cpu backend because ${native.reason}. ` +
        `Install g++, make and python3 (and libopenblas-dev), then run ${rebuildCommand()}.`,
    );
  }
  if (!(await tf.setBackend(backend))) throw new Error(`backend "${backend}" failed to initialise`);
  await tf.ready();
  backend = tf.getBackend() as BackendName;
  // tfjs's cpu backend prints an "install tfjs-node" banner on first use; unforget has
  // already said why it runs on cpu (or the user chose it).
  if (backend === 'cpu') (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  const info: EngineInfo = { backend };
  if (backend === NATIVE_BACKEND) info.gemm = (tf.backend() as NativeBackend).addon.gemm;
  if (!native.ok) info.nativeUnavailable = native.reason;
  return info;
}
