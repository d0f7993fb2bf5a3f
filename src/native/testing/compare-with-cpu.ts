/**
 * Test helper: runs the same computation on `cpu` and on `native` and compares the results.
 * Inputs are made inside the computation from seeded generators, so both runs see identical values.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-layers registers every op's gradient, which the gradient tests need.
import '@tensorflow/tfjs-layers';
import { registerNativeBackend } from '../register.js';

const registration = registerNativeBackend();
if (!registration.ok) throw new Error(`native backend unavailable in tests: ${registration.reason}`);

/** A seeded tensor with values in [-scale, scale]. */
export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.randomUniform(shape, -scale, scale, 'float32', seed);
}

type Result = tf.Tensor | tf.Tensor[];

async function runOn(
  backend: string,
  f: () => Result,
): Promise<{ shapes: number[][]; dtypes: string[]; values: number[][] }> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const result = {
    shapes: list.map((t) => t.shape),
    dtypes: list.map((t) => t.dtype as string),
    values: list.map((t) => Array.from(t.dataSync() as ArrayLike<number>)),
  };
  tf.dispose(list);
  return result;
}

/**
 * Asserts that `f` gives the same shapes and dtypes on both backends and values within
 * `tolerance` (absolute, scaled by max(1, |expected|)). NaN must match NaN.
 */
export async function expectKernelMatchesCpu(f: () => Result, tolerance: number): Promise<number> {
  const expected = await runOn('cpu', f);
  const actual = await runOn('native', f);
  assert.deepEqual(actual.shapes, expected.shapes, 'shapes differ');
  assert.deepEqual(actual.dtypes, expected.dtypes, 'dtypes differ');
  let maxError = 0;
  expected.values.forEach((exp, t) => {
    const act = actual.values[t];
    for (let i = 0; i < exp.length; i++) {
      const e = exp[i];
      const a = act[i];
      if (Number.isNaN(e) || Number.isNaN(a)) {
        assert.ok(Number.isNaN(e) && Number.isNaN(a), `output ${t}[${i}]: expected ${e}, got ${a}`);
        continue;
      }
      if (e === a) continue; // covers equal infinities
      const err = Math.abs(a - e) / Math.max(1, Math.abs(e));
      maxError = Math.max(maxError, err);
      assert.ok(err <= tolerance, `output ${t}[${i}]: expected ${e}, got ${a} (error ${err} > ${tolerance})`);
    }
  });
  return maxError;
}
