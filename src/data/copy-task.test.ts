import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { createRng } from '../core/random.js';
import { bitsWrongPerSequence, copyBatch, copyLoss, sampleLength } from './copy-task.js';

await initEngine();

describe('copy task', () => {
  it('lays out the vectors, the delimiter and blanks; targets are the vectors', () => {
    const batch = copyBatch(createRng(3), { batch: 2, width: 4, length: 3 });
    assert.deepEqual(batch.inputs.shape, [2, 7, 5]);
    assert.deepEqual(batch.targets.shape, [2, 3, 4]);
    const x = batch.inputs.arraySync();
    const y = batch.targets.arraySync();
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < 3; t++)
        assert.deepEqual(x[b][t], [...y[b][t], 0], 'vector steps: bits, no delimiter');
      assert.deepEqual(x[b][3], [0, 0, 0, 0, 1], 'the delimiter step');
      for (let t = 4; t < 7; t++) assert.deepEqual(x[b][t], [0, 0, 0, 0, 0], 'blank answer steps');
    }
    const bits = y.flat(2);
    assert.ok(bits.every((v) => v === 0 || v === 1));
    assert.ok(bits.includes(0) && bits.includes(1));
    tf.dispose([batch.inputs, batch.targets]);
  });

  it('is seeded, and draws lengths uniformly in min..max', () => {
    const a = copyBatch(createRng(5), { batch: 4, width: 8, length: 6 });
    const b = copyBatch(createRng(5), { batch: 4, width: 8, length: 6 });
    assert.deepEqual(a.targets.arraySync(), b.targets.arraySync());
    tf.dispose([a.inputs, a.targets, b.inputs, b.targets]);
    const rng = createRng(1);
    const counts = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const length = sampleLength(rng, 1, 20);
      counts.set(length, (counts.get(length) ?? 0) + 1);
    }
    assert.deepEqual(
      [...counts.keys()].sort((p, q) => p - q),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.ok(
      [...counts.values()].every((n) => n > 60 && n < 140),
      'about 100 of each',
    );
  });

  it('counts bits wrong per sequence and the loss over the answer steps only', () => {
    const batch = copyBatch(createRng(2), { batch: 2, width: 4, length: 2 });
    tf.tidy(() => {
      const answer = tf.sub(tf.mul(batch.targets, 20), 10); // logits +-10: every bit right
      const anything = tf.fill([2, 3, 4], 7); // the input-phase outputs are not scored
      const perfect = tf.concat([anything, answer], 1) as tf.Tensor3D;
      assert.equal(bitsWrongPerSequence(perfect, batch), 0);
      assert.ok(copyLoss(perfect, batch).dataSync()[0] < 1e-4);
      // Flip the first answer step of every sequence: 4 bits wrong per sequence.
      const flipped = tf.concat(
        [
          anything,
          tf.neg(tf.slice(answer, [0, 0, 0], [-1, 1, -1])),
          tf.slice(answer, [0, 1, 0], [-1, 1, -1]),
        ],
        1,
      ) as tf.Tensor3D;
      assert.equal(bitsWrongPerSequence(flipped, batch), 4);
      // Zero logits: loss ln 2 per bit.
      assert.ok(
        Math.abs(copyLoss(tf.zeros([2, 5, 4]) as tf.Tensor3D, batch).dataSync()[0] - Math.LN2) < 1e-6,
      );
    });
    tf.dispose([batch.inputs, batch.targets]);
  });
});
