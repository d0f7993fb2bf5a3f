import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { ConfigError } from '../../core/errors.js';
import { mlp, multiHeadMlp } from '../../models/mlp.js';
import { locallyAdaptedLogits, outputLayer, type AdaptationInputs } from './local-adaptation.js';

await initEngine();

/**
 * Two queries, F = 2, C = 3; the trained layer predicts class 0 for both, while their three
 * neighbours are labelled 2, 2 and 1 (attention 0.5, 0.3, 0.2).
 */
function toy(): AdaptationInputs {
  return {
    queries: tf.tensor2d([
      [1, 0],
      [0.8, 0.2],
    ]),
    neighbours: tf.tensor3d([
      [
        [1, 0.1],
        [0.9, 0],
        [1, -0.2],
      ],
      [
        [0.7, 0.3],
        [0.8, 0.1],
        [1, 0],
      ],
    ]),
    labels: tf.oneHot(
      tf.tensor2d(
        [
          [2, 2, 1],
          [2, 2, 1],
        ],
        undefined,
        'int32',
      ),
      3,
    ) as tf.Tensor3D,
    attention: tf.tensor2d([
      [0.5, 0.3, 0.2],
      [0.5, 0.3, 0.2],
    ]),
    kernel: tf.tensor2d([
      [1, 0, -0.5],
      [0, 0.5, 0],
    ]),
    bias: tf.tensor1d([0.2, 0, 0]),
  };
}

const trainedLogits = (t: AdaptationInputs) => tf.add(tf.matMul(t.queries, t.kernel), t.bias);

describe('locallyAdaptedLogits', () => {
  it('changes nothing with 0 steps or an infinite (or huge) lambda', () => {
    tf.tidy(() => {
      const t = toy();
      const trained = (trainedLogits(t) as tf.Tensor2D).arraySync();
      for (const options of [
        { steps: 0, lr: 1, lambda: 0 },
        { steps: 10, lr: 1, lambda: Infinity },
        { steps: 10, lr: 1, lambda: 1e9 },
      ]) {
        const adapted = locallyAdaptedLogits(t, options).arraySync();
        adapted
          .flat()
          .forEach((v, i) => assert.ok(Math.abs(v - trained.flat()[i]) < 1e-6, JSON.stringify(options)));
      }
    });
  });

  it("takes the exact gradient step of the neighbours' attention-weighted cross-entropy, with the proximal pull", () => {
    tf.tidy(() => {
      const t = toy();
      const [lr, lambda] = [0.5, 0.3];
      // Query 0 alone, by autodiff: loss(W, b) = sum_j a_j CE(softmax(h_j W + b), y_j).
      const h = tf.reshape(tf.slice(t.neighbours, [0, 0, 0], [1, 3, 2]), [3, 2]);
      const y = tf.reshape(tf.slice(t.labels, [0, 0, 0], [1, 3, 3]), [3, 3]);
      const a = tf.reshape(tf.slice(t.attention, [0, 0], [1, 3]), [3]);
      const loss = (w: tf.Tensor, b: tf.Tensor) =>
        tf.sum(
          tf.mul(a, tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(tf.add(tf.matMul(h, w), b))), 1))),
        ) as tf.Scalar;
      const [gW, gB] = tf.grads(loss)([t.kernel, t.bias]);
      const prox = (theta: tf.Tensor, g: tf.Tensor) =>
        tf.div(tf.add(tf.sub(theta, tf.mul(g, lr)), tf.mul(theta, 2 * lr * lambda)), 1 + 2 * lr * lambda);
      const w1 = prox(t.kernel, gW);
      const b1 = prox(t.bias, gB);
      const expected = (
        tf.add(tf.matMul(tf.slice(t.queries, [0, 0], [1, 2]), w1), b1) as tf.Tensor2D
      ).arraySync()[0];
      const adapted = locallyAdaptedLogits(t, { steps: 1, lr, lambda }).arraySync()[0];
      adapted.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `${adapted} vs ${expected}`));
      // The step did move the prediction (the comparison is not between two unchanged layers).
      const trained = (trainedLogits(t) as tf.Tensor2D).arraySync()[0];
      assert.ok(Math.abs(adapted[2] - trained[2]) > 0.05);
    });
  });

  it("moves each query's prediction toward its neighbours' labels", () => {
    tf.tidy(() => {
      const t = toy();
      const before = (tf.softmax(trainedLogits(t)) as tf.Tensor2D).arraySync();
      const adapted = locallyAdaptedLogits(t, { steps: 20, lr: 1, lambda: 0.01 });
      const after = tf.softmax(adapted).arraySync();
      for (const q of [0, 1]) {
        assert.equal(before[q].indexOf(Math.max(...before[q])), 0);
        // The neighbours say 2 (weight 0.8) or 1 (0.2): the adapted layer now predicts 2.
        assert.equal(after[q].indexOf(Math.max(...after[q])), 2, `query ${q}: ${after[q].join(', ')}`);
        assert.ok(after[q][2] > before[q][2] + 0.3);
      }
    });
  });

  it("finds a single-head MLP's output layer and refuses a multi-head model", () => {
    const options = { inputShape: [4], hiddenSizes: [6], numClasses: 3 };
    const single = mlp(options);
    const { kernel, bias } = outputLayer(single);
    assert.deepEqual([kernel.shape, bias.shape], [[6, 3], [3]]);
    const multi = multiHeadMlp({ ...options, heads: 2 });
    assert.throws(
      () => outputLayer(multi),
      (e: unknown) => e instanceof ConfigError && e.field === 'localAdaptation',
    );
    single.dispose();
    multi.dispose();
  });
});
