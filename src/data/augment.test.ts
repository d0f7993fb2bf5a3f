import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, type Rng } from '../core/random.js';
import { assertAugmentable, augmentImages } from './augment.js';

/** A generator that answers the draws it is given, in order (int(n) and next()). */
function scripted(draws: number[]): Rng {
  const rng = createRng(0);
  return { ...rng, int: () => draws.shift()!, next: () => draws.shift()! };
}

// One 3x3 single-channel image, values 1..9 row by row.
const image = Float32Array.from({ length: 9 }, (_, i) => i + 1);

describe('augmentImages', () => {
  it('crops the zero-padded image at the drawn offset', () => {
    // padding 1: offsets drawn in [0, 2], minus 1. dy = +1 (row below), dx = -1 (column to the left).
    const out = augmentImages(image, 1, [3, 3, 1], { crop: { padding: 1 }, flip: false }, scripted([2, 0]));
    assert.deepEqual(Array.from(out), [0, 4, 5, 0, 7, 8, 0, 0, 0]);
    // Offsets 0 (drawn 1, 1): the image itself.
    assert.deepEqual(
      Array.from(augmentImages(image, 1, [3, 3, 1], { crop: { padding: 1 }, flip: false }, scripted([1, 1]))),
      Array.from(image),
    );
  });

  it('fills the padding with the given value per channel', () => {
    // Two channels, 2x2: channel 0 = 1..4, channel 1 = 10..40; dy = -1 (the row above), dx = 0.
    const twoChannels = Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]);
    const out = augmentImages(
      twoChannels,
      1,
      [2, 2, 2],
      { crop: { padding: 1, fill: [-1, -2] }, flip: false },
      scripted([0, 1]),
    );
    assert.deepEqual(Array.from(out), [-1, -2, -1, -2, 1, 10, 2, 20]);
  });

  it('refuses samples that are not images, and a fill of another channel count', () => {
    assert.throws(
      () => assertAugmentable([16], { flip: true }, 'benchmark.augment'),
      (e: Error) =>
        e.message ===
        'benchmark.augment: expected image samples [height, width, channels] to augment, got samples of shape [16]',
    );
    assert.throws(
      () => assertAugmentable([4, 4, 3], { crop: { padding: 1, fill: [0] }, flip: false }),
      (e: Error) =>
        e.message === 'augment.crop.fill: expected 3 values (one per channel of the images), got 1',
    );
    assertAugmentable([4, 4, 3], { crop: { padding: 1, fill: [0, 0, 0] }, flip: false });
  });

  it('mirrors left to right when the draw is below 1/2, after the crop', () => {
    const flipped = augmentImages(image, 1, [3, 3, 1], { flip: true }, scripted([0.2]));
    assert.deepEqual(Array.from(flipped), [3, 2, 1, 6, 5, 4, 9, 8, 7]);
    const kept = augmentImages(image, 1, [3, 3, 1], { flip: true }, scripted([0.7]));
    assert.deepEqual(Array.from(kept), Array.from(image));
    const both = augmentImages(
      image,
      1,
      [3, 3, 1],
      { crop: { padding: 1 }, flip: true },
      scripted([1, 2, 0.1]),
    );
    // dx = +1 then mirrored: out(i, j) = image(i, 2 - j + 1).
    assert.deepEqual(Array.from(both), [0, 3, 2, 0, 6, 5, 0, 9, 8]);
  });

  it('moves the channels of a pixel together, draws per image, and leaves its input as it was', () => {
    const rgb = Float32Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => i);
    const copy = Float32Array.from(rgb);
    const out = augmentImages(rgb, 2, [2, 2, 3], { flip: true }, scripted([0.1, 0.9]));
    assert.deepEqual(Array.from(out.subarray(0, 6)), [3, 4, 5, 0, 1, 2]);
    assert.deepEqual(Array.from(out.subarray(12, 24)), Array.from(rgb.subarray(12, 24)));
    assert.deepEqual(rgb, copy);
    const a = augmentImages(rgb, 2, [2, 2, 3], { crop: { padding: 1 }, flip: true }, createRng(5));
    const b = augmentImages(rgb, 2, [2, 2, 3], { crop: { padding: 1 }, flip: true }, createRng(5));
    assert.deepEqual(a, b, 'the same seed, the same augmentation');
  });
});
