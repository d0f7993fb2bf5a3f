import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { sgd } from '../../engine/optimizers/index.js';
import { clipByGlobalNorm, clippedStep } from './sequence-training.js';

await initEngine();

describe('clipped gradient steps', () => {
  it('scales gradients to the global norm only when it exceeds the limit', () => {
    tf.tidy(() => {
      const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // global norm 5
      const big = clipByGlobalNorm(grads, 10);
      assert.equal(big.norm.dataSync()[0], 5);
      assert.deepEqual(Array.from(big.clipped.a.dataSync()), [3, 0], 'under the limit: unchanged');
      const small = clipByGlobalNorm(grads, 1);
      assert.deepEqual(
        Array.from(small.clipped.a.dataSync()).map((v) => +v.toFixed(6)),
        [0.6, 0],
      );
      assert.deepEqual(
        Array.from(small.clipped.b.dataSync()).map((v) => +v.toFixed(6)),
        [0, 0.8],
      );
    });
  });

  it('takes one SGD step along the clipped gradient, without leaking tensors', () => {
    const w = tf.variable(tf.tensor1d([0, 0]));
    const optimizer = sgd({ learningRate: 1 });
    const before = tf.memory().numTensors;
    // loss = 3 w0 + 4 w1: gradient (3, 4), norm 5, clipped to norm 1: (0.6, 0.8).
    const loss = clippedStep(optimizer, [w], () => tf.sum(tf.mul(w, tf.tensor1d([3, 4]))) as tf.Scalar, 1);
    assert.equal(loss, 0);
    assert.deepEqual(
      Array.from(w.dataSync()).map((v) => +v.toFixed(6)),
      [-0.6, -0.8],
    );
    assert.equal(tf.memory().numTensors, before);
    w.dispose();
    optimizer.dispose();
  });
});
