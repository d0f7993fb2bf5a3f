/** Test helpers of the reduce family: compare with cpu and check which path ran. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { expectKernelMatchesCpu } from './compare-with-cpu.js';
import type { NativeBackend } from '../native-backend.js';

type Result = tf.Tensor | tf.Tensor[];

function calls(kind: 'native' | 'fallback', kernel: string): number {
  const backend = tf.findBackend('native') as NativeBackend | null;
  return backend?.calls[kind].get(kernel) ?? 0;
}

/**
 * Runs `f` on cpu and native, compares within `tolerance` (see expectKernelMatchesCpu),
 * asserts that `kernel` was served by the addon, and returns the largest error seen.
 */
export async function expectNativeMatchesCpu(
  kernel: string,
  f: () => Result,
  tolerance: number,
  context = '',
): Promise<number> {
  const before = calls('native', kernel);
  let error: number;
  try {
    error = await expectKernelMatchesCpu(f, tolerance);
  } catch (e) {
    if (e instanceof Error) e.message = `${context}: ${e.message}`;
    throw e;
  }
  assert.ok(calls('native', kernel) > before, `${context}: ${kernel} did not run natively`);
  return error;
}

/** As {@link expectNativeMatchesCpu}, but asserts that `kernel` fell back to the JS kernel. */
export async function expectFallbackMatchesCpu(kernel: string, f: () => Result): Promise<void> {
  const before = calls('fallback', kernel);
  await expectKernelMatchesCpu(f, 0);
  assert.ok(calls('fallback', kernel) > before, `${kernel} did not fall back`);
}

/** A tensor of the given values (NaN and infinities allowed) with the given shape. */
export function tensorOf(values: number[], shape: number[]): tf.Tensor {
  return tf.tensor(values, shape, 'float32');
}
