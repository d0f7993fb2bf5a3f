import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { readMemory, writeMemory } from './memory.js';

await initEngine();

const rows = (t: tf.Tensor) => (t.arraySync() as number[][][])[0];
const memory = () =>
  tf.tensor3d([
    [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
  ]);

describe('NTM memory', () => {
  it('reads the weighted sum of slots, per head', () => {
    tf.tidy(() => {
      const r = readMemory(
        memory(),
        tf.tensor3d([
          [
            [0.5, 0.5, 0],
            [0, 0.25, 0.75],
          ],
        ]),
      );
      assert.deepEqual(rows(r), [
        [2, 3],
        [4.5, 5.5],
      ]);
    });
  });

  it('erases then adds: M(i) (1 - w(i) e) + w(i) a', () => {
    tf.tidy(() => {
      const written = writeMemory(
        memory(),
        tf.tensor3d([[[0.5, 0, 0.5]]]),
        tf.tensor3d([[[1, 0]]]),
        tf.tensor3d([[[10, 20]]]),
      );
      // slot 0: [1 * 0.5, 2] + 0.5 * [10, 20]; slot 1 untouched; slot 2: [5 * 0.5, 6] + [5, 10].
      assert.deepEqual(rows(written), [
        [5.5, 12],
        [3, 4],
        [7.5, 16],
      ]);
    });
  });

  it('with two write heads, both erase before either adds', () => {
    tf.tidy(() => {
      const written = writeMemory(
        memory(),
        tf.tensor3d([
          [
            [1, 0, 0],
            [1, 0, 0],
          ],
        ]),
        tf.tensor3d([
          [
            [0.5, 0],
            [0, 0.5],
          ],
        ]),
        tf.tensor3d([
          [
            [1, 1],
            [2, 0],
          ],
        ]),
      );
      // slot 0: [1 * 0.5, 2 * 0.5] + [1 + 2, 1 + 0]; were the second erase applied after the first
      // add, it would read [1 * 0.5 + 1, (2 + 1) * 0.5] + [2, 0] = [3.5, 1.5] instead.
      assert.deepEqual(rows(written), [
        [3.5, 2],
        [3, 4],
        [5, 6],
      ]);
    });
  });
});
