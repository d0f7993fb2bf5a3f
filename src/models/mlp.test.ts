import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { sgd } from '../engine/optimizers/index.js';
import { softmaxCrossEntropy } from '../engine/losses.js';
import { mlp, multiHeadMlp } from './mlp.js';

await initEngine();

describe('mlp', () => {
  it('maps [batch, 28, 28, 1] to [batch, classes] logits, with seeded weights', () => {
    const a = mlp({ inputShape: [28, 28, 1], hiddenSizes: [16, 8], numClasses: 10, seed: 3 });
    const b = mlp({ inputShape: [28, 28, 1], hiddenSizes: [16, 8], numClasses: 10, seed: 3 });
    const c = mlp({ inputShape: [28, 28, 1], hiddenSizes: [16, 8], numClasses: 10, seed: 4 });
    const x = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 1);
    const [la, lb, lc] = [a, b, c].map((m) => m.logits(x));
    assert.deepEqual(la.shape, [5, 10]);
    assert.deepEqual(Array.from(la.dataSync()), Array.from(lb.dataSync()), 'same seed, same model');
    assert.notDeepEqual(Array.from(la.dataSync()), Array.from(lc.dataSync()), 'another seed, another model');
    assert.equal(a.variables.length, 6);
    assert.equal(a.name, 'mlp(784-16-8-10)');
    tf.dispose([x, la, lb, lc]);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('gives features and logits from one pass, bit for bit those of the two calls', () => {
    const model = mlp({ inputShape: [12], hiddenSizes: [9, 7], numClasses: 4, seed: 2 });
    const x = tf.randomUniform([6, 12], -1, 1, 'float32', 3);
    const both = model.featuresAndLogits!(x);
    const [features, logits] = [model.features!(x), model.logits(x)];
    assert.deepEqual(both.features.shape, [6, 7]);
    assert.deepEqual(Array.from(both.features.dataSync()), Array.from(features.dataSync()));
    assert.deepEqual(Array.from(both.logits.dataSync()), Array.from(logits.dataSync()));
    tf.dispose([x, both.features, both.logits, features, logits]);
    model.dispose();
  });

  it('learns a separable problem (loss falls) without leaking tensors', () => {
    const model = mlp({ inputShape: [4], hiddenSizes: [8], numClasses: 2, seed: 1 });
    const x = tf.tensor2d([
      [1, 1, 0, 0],
      [0, 0, 1, 1],
      [1, 0.9, 0.1, 0],
      [0, 0.1, 0.9, 1],
    ]);
    const y = tf.tensor2d([
      [1, 0],
      [0, 1],
      [1, 0],
      [0, 1],
    ]);
    const optimizer = sgd({ learningRate: 0.5 });
    const start = tf.memory().numTensors;
    const losses = Array.from({ length: 30 }, () =>
      tf.tidy(
        () =>
          (
            optimizer.minimize(() => softmaxCrossEntropy(y, model.logits(x)), true, [
              ...model.variables,
            ]) as tf.Scalar
          ).dataSync()[0],
      ),
    );
    assert.ok(losses[29] < losses[0] / 4, `loss ${losses[0]} -> ${losses[29]}`);
    assert.equal(tf.memory().numTensors, start);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });

  it('refuses bad options, naming the field', () => {
    assert.throws(
      () => mlp({ inputShape: [4], hiddenSizes: [0], numClasses: 2 }),
      /hiddenSizes: expected positive integers/,
    );
    assert.throws(
      () => mlp({ inputShape: [4], hiddenSizes: [3], numClasses: 0 }),
      /numClasses: expected a positive integer/,
    );
  });
});

describe('multiHeadMlp', () => {
  it('shares the trunk and picks the head by task id', () => {
    const model = multiHeadMlp({ inputShape: [6], hiddenSizes: [5], numClasses: 4, heads: 3, seed: 2 });
    const x = tf.randomUniform([2, 6], 0, 1, 'float32', 5);
    const [h0, h1] = [model.logits(x, 0), model.logits(x, 1)];
    assert.deepEqual(h0.shape, [2, 4]);
    assert.notDeepEqual(Array.from(h0.dataSync()), Array.from(h1.dataSync()));
    assert.equal(model.variables.length, 2 + 3 * 2);
    assert.throws(
      () => model.logits(x),
      /taskId: a multi-head model needs a task id in \[0, 3\), got undefined/,
    );
    assert.throws(() => model.logits(x, 3), /taskId/);
    tf.dispose([x, h0, h1]);
    model.dispose();
  });
  it('fan-in-uniform init draws kernels and biases in +-1/sqrt(fan-in), seeded', () => {
    const make = () =>
      mlp({ inputShape: [64], hiddenSizes: [32], numClasses: 5, init: 'fan-in-uniform', seed: 4 });
    const model = make();
    const again = make();
    const fanIns = [64, 64, 32, 32];
    model.variables.forEach((v, i) => {
      const values = Array.from(v.dataSync());
      const limit = 1 / Math.sqrt(fanIns[i]);
      assert.ok(values.every((x) => Math.abs(x) <= limit));
      // Uniform on [-l, l] has mean |x| = l / 2: far from Glorot's scale and from zero biases.
      const meanAbs = values.reduce((a, x) => a + Math.abs(x), 0) / values.length;
      assert.ok(Math.abs(meanAbs - limit / 2) < limit * 0.25, `${meanAbs} vs ${limit / 2}`);
      assert.deepEqual(values, Array.from(again.variables[i].dataSync()));
    });
    [model, again].forEach((m) => m.dispose());
  });
});

describe('features', () => {
  it('are what the output layer reads: logits = features x kernel + bias', () => {
    const model = mlp({ inputShape: [4], hiddenSizes: [5, 3], numClasses: 2, seed: 3 });
    tf.tidy(() => {
      const x = tf.randomNormal([6, 4], 0, 1, 'float32', 1);
      const features = model.features!(x);
      assert.deepEqual(features.shape, [6, 3]);
      const [kernel, bias] = model.variables.slice(-2);
      const gap = tf.max(tf.abs(tf.sub(tf.add(tf.matMul(features, kernel), bias), model.logits(x))));
      assert.ok(gap.dataSync()[0] < 1e-5);
    });
    model.dispose();
  });

  it('of a multi-head MLP are its shared trunk, the same for every head', () => {
    const model = multiHeadMlp({ inputShape: [4], hiddenSizes: [5], numClasses: 2, heads: 2, seed: 3 });
    tf.tidy(() => {
      const x = tf.randomNormal([3, 4], 0, 1, 'float32', 2);
      const features = model.features!(x);
      assert.deepEqual(features.shape, [3, 5]);
      const [kernel, bias] = model.variables.slice(-2); // head 1
      const gap = tf.max(tf.abs(tf.sub(tf.add(tf.matMul(features, kernel), bias), model.logits(x, 1))));
      assert.ok(gap.dataSync()[0] < 1e-5);
    });
    model.dispose();
  });
});
