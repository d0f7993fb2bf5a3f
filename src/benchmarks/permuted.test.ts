import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import type { Dataset, DatasetSplit } from '../data/dataset.js';
import { padImages, permuted, permutePixels, pixelPermutations } from './permuted.js';
import { testTaskId } from './stream.js';

// 10 classes x 5 samples of 4x4x1; pixel p of sample i holds i * 100 + p.
function dataset(n: number): Dataset {
  const x = Float32Array.from({ length: n * 16 }, (_, k) => Math.floor(k / 16) * 100 + (k % 16));
  const y = Int32Array.from({ length: n }, (_, i) => i % 10);
  return { x, y, sampleShape: [4, 4, 1], numClasses: 10 };
}
const split: DatasetSplit = { train: dataset(50), test: dataset(20) };

describe('permuted', () => {
  it('keeps experience 0 as is and permutes the others with a true, seed-fixed pixel permutation', () => {
    const s = permuted(split, { experiences: 3, seed: 5 });
    assert.equal(s.scenario, 'domain-il');
    assert.equal(s.taskIdVisibleAtTest, false);
    assert.deepEqual(
      s.experiences.map((e) => testTaskId(s, e)),
      [undefined, undefined, undefined],
    );
    assert.deepEqual(s.experiences[0].train.x, split.train.x);
    const perms = pixelPermutations([4, 4, 1], 3, 5);
    for (const t of [1, 2]) {
      const e = s.experiences[t];
      assert.deepEqual(e.classes, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.deepEqual(e.train.y, split.train.y);
      assert.deepEqual(e.test.y, split.test.y);
      assert.deepEqual(
        Array.from(perms[t]).sort((a, b) => a - b),
        Array.from({ length: 16 }, (_, i) => i),
      );
      // Each sample's pixels are exactly its own values, moved: pixel p reads pixel perm[p].
      for (const [data, orig] of [
        [e.train, split.train],
        [e.test, split.test],
      ]) {
        for (const i of [0, 7, data.y.length - 1]) {
          const row = Array.from(data.x.subarray(i * 16, (i + 1) * 16));
          assert.deepEqual(
            row,
            Array.from(perms[t], (q) => orig.x[i * 16 + q]),
          );
          assert.deepEqual(
            [...row].sort((a, b) => a - b),
            Array.from({ length: 16 }, (_, p) => i * 100 + p),
          );
        }
      }
      assert.notDeepEqual(e.train.x, split.train.x);
    }
    assert.notDeepEqual(perms[1], perms[2]);
  });

  it('draws the same permutations for the same seed and others for another seed', () => {
    const a = permuted(split, { experiences: 3, seed: 5 });
    const b = permuted(split, { experiences: 3, seed: 5 });
    const c = permuted(split, { experiences: 3, seed: 6 });
    assert.deepEqual(a.experiences[2].test.x, b.experiences[2].test.x);
    assert.notDeepEqual(a.experiences[2].test.x, c.experiences[2].test.x);
  });

  it('moves the channels of a pixel together', () => {
    const d: Dataset = {
      x: Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]),
      y: Int32Array.from([0]),
      sampleShape: [2, 2, 2],
      numClasses: 1,
    };
    const out = permutePixels(d, Int32Array.from([3, 0, 2, 1]));
    assert.deepEqual(Array.from(out.x), [4, 40, 1, 10, 3, 30, 2, 20]);
  });

  it('pads images with zeros on every side, channels kept together', () => {
    const gray: Dataset = {
      x: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
      y: Int32Array.from([0, 1]),
      sampleShape: [2, 2],
      numClasses: 2,
    };
    const padded = padImages(gray, 1);
    assert.deepEqual(padded.sampleShape, [4, 4]);
    assert.deepEqual(padded.y, gray.y);
    // prettier-ignore
    assert.deepEqual(Array.from(padded.x), [
      0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 5, 6, 0, 0, 7, 8, 0, 0, 0, 0, 0,
    ]);
    const rgb: Dataset = {
      x: Float32Array.from([1, 10, 2, 20]),
      y: Int32Array.from([0]),
      sampleShape: [1, 2, 2],
      numClasses: 1,
    };
    const p = padImages(rgb, 1);
    assert.deepEqual(p.sampleShape, [3, 4, 2]);
    // prettier-ignore
    assert.deepEqual(Array.from(p.x), [
      0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 1, 10, 2, 20, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });

  it('with pad, permutes the padded images: (H + 2 pad) x (W + 2 pad) pixels per experience', () => {
    const s = permuted(split, { experiences: 3, seed: 5, pad: 2 });
    assert.deepEqual(s.sampleShape, [8, 8, 1]);
    const padded = padImages(split.train, 2);
    // Experience 0 is the padded original; the others permute all 64 pixels, border included.
    assert.deepEqual(s.experiences[0].train.x, padded.x);
    assert.deepEqual(s.experiences[0].test.x, padImages(split.test, 2).x);
    const perms = pixelPermutations([8, 8, 1], 3, 5);
    for (const t of [1, 2]) {
      const e = s.experiences[t];
      assert.deepEqual(e.train.sampleShape, [8, 8, 1]);
      assert.deepEqual(e.train.x, permutePixels(padded, perms[t]).x);
      // Some image pixel lands in the border's positions: the permutation spans the padding too.
      const zeros = Array.from(e.train.x.subarray(0, 64)).filter((v) => v === 0).length;
      assert.equal(zeros, 64 - 16 + 1); // the border's 48 zeros plus sample 0's pixel 0 (value 0)
    }
    // pad: 0 is the default stream.
    assert.deepEqual(
      permuted(split, { experiences: 2, seed: 5, pad: 0 }),
      permuted(split, { experiences: 2, seed: 5 }),
    );
  });

  it('rejects a negative or fractional pad', () => {
    for (const pad of [-1, 1.5]) {
      assert.throws(
        () => permuted(split, { experiences: 2, seed: 1, pad }),
        (e: unknown) => e instanceof ConfigError && e.field === 'pad',
      );
    }
  });

  it('rejects a non-positive experience count', () => {
    assert.throws(
      () => permuted(split, { experiences: 0, seed: 1 }),
      (e: unknown) => e instanceof ConfigError && e.field === 'experiences',
    );
  });
});
