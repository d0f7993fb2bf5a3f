import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import {
  address,
  circularShift,
  contentWeights,
  cosineSimilarity,
  interpolate,
  sharpen,
} from './addressing.js';

await initEngine();

const values = (t: tf.Tensor) => Array.from(t.dataSync());
function assertClose(actual: tf.Tensor, expected: number[], tolerance = 1e-5): void {
  const got = values(actual);
  assert.equal(got.length, expected.length);
  got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < tolerance, `[${i}]: ${v} vs ${expected[i]}`));
}

// Slots [1, 0], [0, 1], [1, 1] (batch 1); cosines with key [1, 0]: 1, 0, 1/sqrt(2).
const memory = () =>
  tf.tensor3d([
    [
      [1, 0],
      [0, 1],
      [1, 1],
    ],
  ]);

describe('NTM addressing', () => {
  it('content weights: softmax of key strength times cosine similarity', () => {
    tf.tidy(() => {
      assertClose(cosineSimilarity(memory(), tf.tensor3d([[[1, 0]]])), [1, 0, Math.SQRT1_2]);
      // beta = 2: exp(2), exp(0), exp(sqrt 2), normalised.
      const e = [Math.exp(2), 1, Math.exp(Math.SQRT2)];
      const sum = e[0] + e[1] + e[2];
      assertClose(
        contentWeights(memory(), tf.tensor3d([[[1, 0]]]), tf.tensor2d([[2]])),
        e.map((v) => v / sum),
      );
      // beta = 0 ignores the key: uniform.
      assertClose(contentWeights(memory(), tf.tensor3d([[[1, 0]]]), tf.tensor2d([[0]])), [
        1 / 3,
        1 / 3,
        1 / 3,
      ]);
      // Two heads at once; the key's scale does not matter (cosine). Head 2, key [0, 5]: cosines 0, 1, 1/sqrt(2).
      const both = contentWeights(
        memory(),
        tf.tensor3d([
          [
            [3, 0],
            [0, 5],
          ],
        ]),
        tf.tensor2d([[2, 2]]),
      );
      const e2 = [1, Math.exp(2), Math.exp(Math.SQRT2)];
      assertClose(both, [...e.map((v) => v / sum), ...e2.map((v) => v / sum)]);
    });
  });

  it('interpolation: g * content + (1 - g) * previous', () => {
    tf.tidy(() =>
      assertClose(
        interpolate(tf.tensor3d([[[1, 0, 0]]]), tf.tensor3d([[[0, 0, 1]]]), tf.tensor2d([[0.25]])),
        [0.25, 0, 0.75],
      ),
    );
  });

  it('circular shift wraps around: +1 moves each weight one slot on, the last to the first', () => {
    tf.tidy(() => {
      const w = tf.tensor3d([[[0.1, 0.2, 0.3, 0.4]]]);
      assertClose(circularShift(w, tf.tensor3d([[[0, 0, 1]]])), [0.4, 0.1, 0.2, 0.3]);
      assertClose(circularShift(w, tf.tensor3d([[[1, 0, 0]]])), [0.2, 0.3, 0.4, 0.1]);
      assertClose(circularShift(w, tf.tensor3d([[[0, 1, 0]]])), [0.1, 0.2, 0.3, 0.4]);
      // Mixed kernel (s_-1, s_0, s_+1) = (0.5, 0.25, 0.25): w~_i = 0.5 w_{i+1} + 0.25 w_i + 0.25 w_{i-1}.
      assertClose(circularShift(w, tf.tensor3d([[[0.5, 0.25, 0.25]]])), [0.225, 0.225, 0.325, 0.225]);
      // Shift range 2 (kernel of 5): +2 on 4 slots.
      assertClose(circularShift(w, tf.tensor3d([[[0, 0, 0, 0, 1]]])), [0.3, 0.4, 0.1, 0.2]);
    });
  });

  it('sharpening: w^gamma normalised', () => {
    tf.tidy(() => {
      assertClose(sharpen(tf.tensor3d([[[0.5, 0.25, 0.25]]]), tf.tensor2d([[2]])), [2 / 3, 1 / 6, 1 / 6]);
      assertClose(sharpen(tf.tensor3d([[[0.5, 0.25, 0.25]]]), tf.tensor2d([[1]])), [0.5, 0.25, 0.25]);
    });
  });

  it('sharpening a spread weighting hard stays a weighting (w^gamma alone underflows to 0/0)', () => {
    tf.tidy(() => {
      // 128 slots near 1/128 and gamma 40: each w^gamma is about e^-194, below float32's range.
      const spread = Array.from({ length: 128 }, (_, i) => (i === 5 ? 1.5 : 1) / 128.5);
      const sharp = Array.from(sharpen(tf.tensor3d([[spread]]), tf.tensor2d([[40]])).dataSync());
      assert.ok(sharp.every(Number.isFinite), 'finite');
      assert.ok(Math.abs(sharp.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'sums to 1');
      assert.ok(sharp[5] > 0.999, `the largest weight takes it all, got ${sharp[5]}`);
    });
  });

  it('the whole pipeline, and finite gradients where weights are exactly 0', () => {
    tf.tidy(() => {
      // g = 0 keeps the previous weighting (slot 0), shift +1 moves it to slot 1, gamma 1 keeps it.
      const params = {
        keys: tf.tensor3d([[[1, 0]]]),
        strengths: tf.tensor2d([[5]]),
        gates: tf.tensor2d([[0]]),
        shifts: tf.tensor3d([[[0, 0, 1]]]),
        gammas: tf.tensor2d([[1]]),
      };
      assertClose(address(memory(), tf.tensor3d([[[1, 0, 0]]]), params), [0, 1, 0]);
      const grads = tf.grads((m: tf.Tensor, g: tf.Tensor) =>
        tf.sum(
          tf.mul(
            address(m as tf.Tensor3D, tf.tensor3d([[[1, 0, 0]]]), {
              ...params,
              gates: g as tf.Tensor2D,
              gammas: tf.tensor2d([[3]]),
            }),
            tf.tensor3d([[[1, 2, 3]]]),
          ),
        ),
      )([memory(), tf.tensor2d([[0.5]])]);
      for (const g of grads) assert.ok(values(g).every(Number.isFinite), 'finite gradient');
      assert.ok(values(grads[1])[0] !== 0, 'the gate receives a gradient');
    });
  });
});
