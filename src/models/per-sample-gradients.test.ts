import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import type { Classifier } from './classifier.js';
import { mlp, multiHeadMlp, type MlpActivation } from './mlp.js';

import { closeRelative } from './testing/close-relative.js';

await initEngine();

const batch = 12;
const inputShape = [2, 3];
const classes = 4;

/** The reference: sample n's loss sum_c C[n, c] z[n, c], one tf.variableGrads per sample. */
function loopSums(model: Classifier, x: tf.Tensor, c: tf.Tensor2D, taskId: number | undefined, power: 1 | 2) {
  return tf.tidy(() => {
    const variables = [...model.variables];
    let sums = variables.map((v) => tf.zerosLike(v) as tf.Tensor);
    for (let n = 0; n < batch; n++) {
      const xn = tf.slice(x, n, 1);
      const cn = tf.slice(c, n, 1);
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.mul(model.logits(xn, taskId), cn)) as tf.Scalar,
        variables,
      );
      sums = sums.map((s, i) => {
        const g = grads[variables[i].name];
        return g ? tf.add(s, power === 1 ? tf.abs(g) : tf.square(g)) : s;
      });
    }
    return sums;
  });
}

function check(model: Classifier, taskId: number | undefined, power: 1 | 2): tf.Tensor[] {
  const x = tf.randomNormal([batch, ...inputShape], 0, 1, 'float32', 5);
  const c = tf.randomNormal([batch, classes], 0, 1, 'float32', 6) as tf.Tensor2D;
  const start = tf.memory().numTensors;
  const batched = model.perSampleGradientSums!(x, taskId, () => c.clone(), power);
  assert.equal(tf.memory().numTensors, start + model.variables.length, 'only the sums are kept');
  const reference = loopSums(model, x, c, taskId, power);
  assert.equal(batched.length, model.variables.length);
  batched.forEach((t, i) => {
    assert.deepEqual(t.shape, model.variables[i].shape, `shape of ${i}`);
    closeRelative(t.dataSync(), reference[i].dataSync(), `power ${power}, variable ${i}`);
  });
  tf.dispose([x, c, ...reference]);
  return batched;
}

describe('perSampleGradientSums', () => {
  for (const activation of ['relu', 'tanh', 'sigmoid'] as MlpActivation[]) {
    for (const power of [1, 2] as const) {
      it(`mlp (${activation}), power ${power}: equals the per-sample loop`, () => {
        const model = mlp({ inputShape, hiddenSizes: [7, 5], numClasses: classes, activation, seed: 2 });
        tf.dispose(check(model, undefined, power));
        model.dispose();
      });
    }
  }

  it('mlp without hidden layers (a linear model)', () => {
    const model = mlp({ inputShape, hiddenSizes: [], numClasses: classes, seed: 1 });
    tf.dispose(check(model, undefined, 2));
    model.dispose();
  });

  for (const power of [1, 2] as const) {
    it(`multiHeadMlp, task 1 of 2, power ${power}: equals the loop; head 0 gets zeros`, () => {
      const model = multiHeadMlp({ inputShape, hiddenSizes: [6, 5], numClasses: classes, heads: 2, seed: 3 });
      const sums = check(model, 1, power);
      // Variables: trunk (2 layers: 4), head 0 (2), head 1 (2).
      assert.equal(sums.length, 8);
      sums.slice(4, 6).forEach((t) =>
        assert.ok(
          t.dataSync().every((v) => v === 0),
          'head 0 is zero',
        ),
      );
      assert.ok(
        sums[6].dataSync().some((v) => v !== 0),
        'head 1 is not',
      );
      tf.dispose(sums);
      model.dispose();
    });
  }
});
