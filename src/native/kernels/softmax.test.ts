import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { randomTensor } from '../testing/compare-with-cpu.js';
import { expectNativeMatchesCpu, tensorOf } from '../testing/reduce.js';

// Outputs lie in [0, 1]: the bound is absolute. Native and cpu differ only in exp (float
// expf against Math.exp rounded to float32), so they agree to a few float32 ulps.
const TOLERANCE = 1e-6;

describe('native Softmax vs cpu', () => {
  const shapes = [[5], [4, 10], [3, 7, 33], [2, 1000], [2, 3, 4, 5], [1, 1]];
  for (const shape of shapes) {
    it(`[${shape}] at scales 1, 80 and 1000`, async () => {
      for (const scale of [1, 80, 1000]) {
        const error = await expectNativeMatchesCpu(
          'Softmax',
          () => tf.softmax(randomTensor(shape, 4, scale)),
          TOLERANCE,
          `scale ${scale}`,
        );
        assert.ok(error <= 3e-7, `error ${error}`);
      }
    });
  }

  it('takes dim as -1 or as the last axis', async () => {
    await expectNativeMatchesCpu(
      'Softmax',
      () => tf.softmax(randomTensor([3, 6], 1), -1),
      TOLERANCE,
      'dim -1',
    );
    await expectNativeMatchesCpu('Softmax', () => tf.softmax(randomTensor([3, 6], 1), 1), TOLERANCE, 'dim 1');
  });

  it('rows with -Inf, +Inf, NaN and all -Inf (NaN rows as in tfjs)', async () => {
    const I = Infinity;
    const rows = [
      [1, -I, 3, -I, 0.5],
      [-I, -I, -I, -I, -I],
      [-I, -I, 2, -I, -I],
      [I, 1, 2, 3, 4],
      [NaN, 1, 2, 3, 4],
      [1000, 999, -1000, 80, 1000],
      [-1000, -1001, -999, -1000, -1002],
    ];
    await expectNativeMatchesCpu(
      'Softmax',
      () => tf.softmax(tensorOf(rows.flat(), [7, 5])),
      TOLERANCE,
      'specials',
    );
  });

  it('empty tensors', async () => {
    await expectNativeMatchesCpu('Softmax', () => tf.softmax(tf.zeros([0, 5])), 0, '[0, 5]');
    await expectNativeMatchesCpu('Softmax', () => tf.softmax(tf.zeros([3, 0])), 0, '[3, 0]');
  });

  it('gradient of sum(softmax(x) * w) matches cpu', async () => {
    await expectNativeMatchesCpu(
      'Softmax',
      () => {
        const x = randomTensor([8, 10], 2, 3);
        const w = randomTensor([8, 10], 3);
        return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.softmax(a), w)))(x);
      },
      TOLERANCE,
      'grad',
    );
  });

  it('a non-last dim falls back to the JS kernel, which raises its error', async () => {
    await tf.setBackend('native');
    const x = randomTensor([3, 4], 1);
    assert.throws(() => tf.engine().runKernel('Softmax', { logits: x }, { dim: 0 }), /non-last dimension/);
    x.dispose();
  });
});
