import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { expectKernelMatchesCpu, randomTensor } from '../../native/testing/compare-with-cpu.js';
import type { NativeBackend } from '../../native/native-backend.js';
import { PATH_INTEGRAL_STEP } from '../../native/kernels/path-integral.js';
import { pathIntegralStep } from './path-integral.js';

// 1 element, odd sizes (no multiple of a SIMD width), and an MLP hidden layer's weights.
const SHAPES: number[][] = [[1], [7], [3, 5], [1, 1, 13], [33, 17], [400, 400]];

/** w, g, theta, prev for one variable. */
const inputs = (shape: number[], seed: number) => [0, 1, 2, 3].map((k) => randomTensor(shape, seed + k));

/** The formula in tf ops, as SI computed it before the fused op. */
const reference = ([w, g, theta, prev]: tf.Tensor[]) => tf.sub(w, tf.mul(g, tf.sub(theta, prev)));

const nativeCalls = () =>
  (tf.findBackend('native') as NativeBackend).calls.native.get(PATH_INTEGRAL_STEP) ?? 0;

function maxRelativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  assert.deepEqual(actual.shape, expected.shape);
  assert.equal(actual.dtype, 'float32');
  const av = actual.dataSync();
  let max = 0;
  expected.dataSync().forEach((e, i) => {
    max = Math.max(max, Math.abs(av[i] - e) / Math.max(Math.abs(e), 1));
  });
  return max;
}

describe('pathIntegralStep', () => {
  for (const shape of SHAPES) {
    it(`[${shape}]: native matches cpu within 1e-6`, async () => {
      await expectKernelMatchesCpu(
        () => pathIntegralStep(...(inputs(shape, 3) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])),
        1e-6,
      );
    });

    it(`[${shape}]: one native call matches the tf-ops formula within 1e-6 relative`, async () => {
      await tf.setBackend('native');
      const before = nativeCalls();
      const error = tf.tidy(() => {
        const x = inputs(shape, 9) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return maxRelativeError(pathIntegralStep(...x), reference(x));
      });
      assert.ok(error <= 1e-6, `relative error ${error}`);
      assert.equal(nativeCalls(), before + 1);
    });
  }

  it('takes one native call per variable of an MLP step', async () => {
    await tf.setBackend('native');
    const shapes = [[20, 8], [8], [8, 8], [8], [8, 3], [3]];
    const before = nativeCalls();
    tf.tidy(() =>
      shapes.forEach((s, v) =>
        pathIntegralStep(...(inputs(s, 10 * v) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])),
      ),
    );
    assert.equal(nativeCalls(), before + shapes.length);
  });

  it('writes a fresh output and leaves its inputs as they were', async () => {
    await tf.setBackend('native');
    const x = inputs([5, 3], 4) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const copies = x.map((t) => t.dataSync().slice());
    const out = pathIntegralStep(...x);
    x.forEach((t, k) => assert.deepEqual(t.dataSync(), copies[k]));
    assert.ok(x.every((t) => t.dataId !== out.dataId));
    tf.dispose([...x, out]);
  });

  it('leaks no tensor', async () => {
    await tf.setBackend('native');
    const x = inputs([6, 4], 2) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) pathIntegralStep(...x).dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose(x);
  });

  it('falls back to tf ops for inputs the kernel does not take, with the same result', async () => {
    await tf.setBackend('native');
    const before = nativeCalls();
    tf.tidy(() => {
      // A broadcast gradient (a scalar) and an int32 w are not the kernel's elementwise float32 layout.
      const [w, , theta, prev] = inputs([4, 3], 6);
      const g = tf.scalar(0.3);
      assert.ok(
        maxRelativeError(pathIntegralStep(w, g, theta, prev), reference([w, g, theta, prev])) <= 1e-6,
      );
      const wi = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
      const [, gi, ti, pi] = inputs([1, 3], 8);
      const mixed = pathIntegralStep(wi, gi, ti, pi);
      assert.ok(maxRelativeError(mixed, reference([wi, gi, ti, pi])) <= 1e-6);
    });
    assert.equal(nativeCalls(), before);
  });

  it('runs the tf ops on cpu', async () => {
    await tf.setBackend('cpu');
    tf.tidy(() => {
      const x = inputs([7, 2], 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      assert.ok(maxRelativeError(pathIntegralStep(...x), reference(x)) <= 1e-6);
    });
  });
});
