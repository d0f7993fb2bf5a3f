import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { createRng } from '../core/random.js';
import { KeyValueMemory, readMemory } from './key-value-memory.js';
import { ReservoirBuffer } from './reservoir.js';

await initEngine();

/** `n` rows whose input, label and key all encode the row's number, so a slot tells which row it holds. */
function rows(n: number, from = 0) {
  const ids = Array.from({ length: n }, (_, i) => from + i);
  return {
    x: Float32Array.from(ids.flatMap((i) => [i, -i])),
    y: Int32Array.from(ids, (i) => i % 7),
    keys: Float32Array.from(ids.flatMap((i) => [i, 1, 2 * i])),
  };
}

describe('KeyValueMemory', () => {
  it('keeps its budget, each stored row with its own key, and the same rows as a reservoir buffer with the same seed', () => {
    const memory = new KeyValueMemory({ capacity: 6, sampleSize: 2, keySize: 3 }, createRng(5));
    const reservoir = new ReservoirBuffer({ capacity: 6, sampleSize: 2 }, createRng(5));
    for (let batch = 0; batch < 8; batch++) {
      const { x, y, keys } = rows(5, 5 * batch);
      memory.add({ x, y, taskIds: batch }, keys);
      reservoir.add({ x, y, taskIds: batch });
      assert.equal(memory.size, Math.min(6, 5 * (batch + 1)));
    }
    assert.equal(memory.seen, 40);
    const stored = memory.all();
    assert.deepEqual(stored.x, reservoir.all().x);
    assert.deepEqual(stored.taskIds, reservoir.all().taskIds);
    assert.deepEqual(memory.labels, stored.y);
    // Row i was offered with key [i, 1, 2i] and input [i, -i]: each slot's key matches its input.
    for (let s = 0; s < 6; s++) {
      const i = stored.x[2 * s];
      assert.deepEqual([...memory.keys.subarray(3 * s, 3 * s + 3)], [i, 1, 2 * i]);
    }
    // Later rows did replace earlier ones (the test would pass trivially on the first six).
    assert.ok([...stored.x].some((v) => v >= 6));
    // Inputs 6 x 2 floats, labels and task ids 6 int32 each, keys 6 x 3 floats.
    assert.equal(memory.memoryBytes(), 4 * (12 + 6 + 6 + 18));
  });

  it('refreshes every key from its stored input and reports how far the keys moved', () => {
    const memory = new KeyValueMemory({ capacity: 4, sampleSize: 2, keySize: 3 }, createRng(1));
    const { x, y, keys } = rows(2, 1);
    memory.add({ x, y }, keys);
    assert.equal(
      memory.refreshKeys(() => keys.slice()),
      1,
    );
    // Row inputs [1, -1] and [2, -2]; the new key of row i is [-i, -1, -2i]: cosine -1 with the old.
    const cosine = memory.refreshKeys((input, n) => {
      assert.equal(n, 2);
      assert.deepEqual([...input], [1, -1, 2, -2]);
      return Float32Array.from([-1, -1, -2, -2, -1, -4]);
    });
    assert.ok(Math.abs(cosine + 1) < 1e-6, `cosine ${cosine}`);
    assert.deepEqual([...memory.keys], [-1, -1, -2, -2, -1, -4]);
    assert.throws(() => memory.add({ x, y }, new Float32Array(5)), /keys: expected 2 x 3 values/);
  });
});

describe('readMemory', () => {
  it('attends over the k nearest keys by cosine with softmax(cos / tau) and reads their labels', () => {
    tf.tidy(() => {
      const keys = tf.tensor2d([
        [1, 0],
        [0, 1],
        [3, 3],
        [-1, 0],
      ]);
      const values = tf.tensor1d([0, 1, 2, 1], 'int32');
      // Query [2, 0]: cosines 1, 0, 1/sqrt(2), -1; its two nearest are keys 0 and 2.
      // Query [0, -1]: cosines 0, -1, -1/sqrt(2), 0; ties at 0 (keys 0 and 3).
      const read = readMemory(
        tf.tensor2d([
          [2, 0],
          [0, -1],
        ]),
        keys,
        values,
        { k: 2, tau: 0.5, numClasses: 3 },
      );
      // Nearest first; a tie goes to the lower slot.
      assert.deepEqual([...read.indices], [0, 2, 0, 3]);
      // softmax([1, 1/sqrt 2] / 0.5): 1 / (1 + e^(sqrt(2) - 2)) = 0.642398; 0 outside the two nearest.
      const a = 1 / (1 + Math.exp(Math.SQRT2 - 2));
      const weights = read.weights.arraySync();
      assertClose(weights[0], [a, 0, 1 - a, 0]);
      assertClose(weights[1], [0.5, 0, 0, 0.5]);
      assertClose(read.read.arraySync()[0], [a, 0, 1 - a]);
      assertClose(read.read.arraySync()[1], [0.5, 0.5, 0]);
    });
  });

  it('picks the same k nearest as tf.topk on random keys', () => {
    tf.tidy(() => {
      const queries = tf.randomNormal([20, 6], 0, 1, 'float32', 1) as tf.Tensor2D;
      const keys = tf.randomNormal([50, 6], 0, 1, 'float32', 2) as tf.Tensor2D;
      const { indices, weights } = readMemory(queries, keys, tf.zeros([50], 'int32'), {
        k: 5,
        tau: 0.1,
        numClasses: 2,
      });
      const unit = (x: tf.Tensor2D) => tf.div(x, tf.norm(x, 'euclidean', 1, true));
      const expected = tf.topk(tf.matMul(unit(queries), unit(keys), false, true), 5).indices.dataSync();
      assert.deepEqual([...indices], [...expected]);
      // Exactly five nonzero weights per row, summing to 1.
      for (const row of weights.arraySync()) {
        assert.equal(row.filter((v) => v > 0).length, 5);
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      }
    });
  });

  it('is differentiable in the queries', () => {
    tf.tidy(() => {
      const keys = tf.tensor2d([
        [1, 0],
        [0, 1],
        [1, 1],
      ]);
      const values = tf.tensor1d([0, 1, 1], 'int32');
      const options = { k: 3, tau: 0.2, numClasses: 2 };
      const probabilityOfZero = (q: tf.Tensor) =>
        tf.sum(
          tf.slice(readMemory(q as tf.Tensor2D, keys, values, options).read, [0, 0], [1, 1]),
        ) as tf.Scalar;
      const q = tf.tensor2d([[1, 0.5]]);
      const g = tf.grad(probabilityOfZero)(q).arraySync() as number[][];
      // Turning the query towards key 0 ([1, 0]) raises the read's class 0: a central difference agrees.
      const h = 1e-3;
      const numeric = [0, 1].map(
        (d) =>
          (probabilityOfZero(tf.tensor2d([[1 + (d === 0 ? h : 0), 0.5 + (d === 1 ? h : 0)]])).arraySync() -
            probabilityOfZero(tf.tensor2d([[1 - (d === 0 ? h : 0), 0.5 - (d === 1 ? h : 0)]])).arraySync()) /
          (2 * h),
      );
      assert.ok(g[0][1] < 0, `d/dq_1 ${g[0][1]}`);
      assertClose(g[0], numeric, 1e-3);
    });
  });
});

function assertClose(actual: number[], expected: number[], tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) =>
    assert.ok(Math.abs(v - expected[i]) < tolerance, `[${i}]: ${v} vs ${expected[i]} (${actual.join(', ')})`),
  );
}
