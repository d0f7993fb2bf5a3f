import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { adam } from '../../engine/optimizers/index.js';
import { divergenceGuard } from './divergence-guard.js';

await initEngine();

/** One Adam step on loss = sum((w - target)^2), so the weights and Adam's moments both move. */
function stepTowards(optimizer: ReturnType<typeof adam>, w: tf.Variable, target: number[]) {
  optimizer.minimize(() => tf.sum(tf.square(tf.sub(w, tf.tensor1d(target)))) as tf.Scalar);
}

const values = (w: tf.Variable) => Array.from(w.dataSync());

describe('divergence guard', () => {
  it('restores the weights and optimizer state of the healthy window before the last one', () => {
    const w = tf.variable(tf.tensor1d([0, 0]));
    const optimizer = adam({ learningRate: 0.1 });
    const guard = divergenceGuard([w], optimizer, { factor: 10, minLoss: 0.1 });
    stepTowards(optimizer, w, [1, 1]);
    const before = tf.memory().numTensors; // with Adam's two moments, made by the first step
    assert.equal(guard.endWindow(0.6), false); // window 1: healthy, best 0.6
    stepTowards(optimizer, w, [1, 1]);
    const afterWindow2 = values(w);
    const optimizerAfterWindow2 = optimizer.saveState([w]);
    assert.equal(guard.endWindow(0.05), false); // window 2: best 0.05
    stepTowards(optimizer, w, [1, 1]);
    assert.equal(guard.endWindow(0.08), false); // window 3: 0.08 <= max(0.1, 0.5): healthy
    stepTowards(optimizer, w, [-5, 9]);
    stepTowards(optimizer, w, [-5, 9]);
    assert.notDeepEqual(values(w), afterWindow2);
    // Window 4: 0.7 > max(0.1, 10 x 0.05): back to the end of window 2, not window 3.
    assert.equal(guard.endWindow(0.7), true);
    assert.equal(guard.rollbacks, 1);
    assert.deepEqual(values(w), afterWindow2);
    assert.deepEqual(optimizer.saveState([w]), optimizerAfterWindow2);

    // A second collapse right away returns to the same state again.
    stepTowards(optimizer, w, [-5, 9]);
    assert.equal(guard.endWindow(Number.NaN), true);
    assert.deepEqual(values(w), afterWindow2);
    assert.equal(guard.rollbacks, 2);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
    w.dispose();
    optimizer.dispose();
  });

  it('never rolls back while losses stay under minLoss or within factor of the best', () => {
    const w = tf.variable(tf.tensor1d([0]));
    const optimizer = adam({ learningRate: 0.1 });
    const guard = divergenceGuard([w], optimizer);
    // Early, noisy windows (the loss starts near ln 2 and may rise) and a curriculum's lengthening
    // (loss x 5 from a best of 0.01, still under 0.1): none is a collapse.
    for (const loss of [0.69, 0.75, 0.3, 0.01, 0.05, 0.09, 0.02]) {
      assert.equal(guard.endWindow(loss), false, `${loss}`);
    }
    assert.equal(guard.rollbacks, 0);
    w.dispose();
    optimizer.dispose();
  });

  it('refuses settings that could not work, naming them', () => {
    const w = tf.variable(tf.tensor1d([0]));
    const optimizer = adam({ learningRate: 0.1 });
    assert.throws(() => divergenceGuard([w], optimizer, { factor: 1 }), /factor: expected a number > 1/);
    assert.throws(() => divergenceGuard([w], optimizer, { minLoss: 0 }), /minLoss: expected a positive/);
    w.dispose();
    optimizer.dispose();
  });
});
