import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import { resolveAngles, rotated, rotateImage, rotateImages } from './rotated.js';
import { testTaskId } from './stream.js';

function image(h: number, w: number, values: (r: number, c: number) => number): Float32Array {
  return Float32Array.from({ length: h * w }, (_, k) => values(Math.floor(k / w), k % w));
}
function assertClose(actual: Float32Array, expected: Float32Array, tol = 1e-6) {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('rotateImage', () => {
  const src = image(4, 4, (r, c) => 1 + r * 4 + c);

  it('is the identity at 0 degrees', () => {
    const out = new Float32Array(16);
    rotateImage(src, out, 4, 4, 1, 0);
    assertClose(out, src, 0);
  });

  it('at 90 degrees gives the counter-clockwise quarter turn: out[r][c] = in[c][W-1-r]', () => {
    const out = new Float32Array(16);
    rotateImage(src, out, 4, 4, 1, 90);
    assertClose(
      out,
      image(4, 4, (r, c) => src[c * 4 + (3 - r)]),
    );
    // Top row of the rotated image is the source's right column, read top to bottom.
    assert.deepEqual(Array.from(out.subarray(0, 4), Math.round), [4, 8, 12, 16]);
    rotateImage(src, out, 4, 4, 1, -90);
    assertClose(
      out,
      image(4, 4, (r, c) => src[(3 - c) * 4 + r]),
    );
    rotateImage(src, out, 4, 4, 1, 180);
    assertClose(
      out,
      image(4, 4, (r, c) => src[(3 - r) * 4 + (3 - c)]),
    );
  });

  it('interpolates bilinearly and reads zero outside the image', () => {
    // 45 degrees on an all-ones 3x3 image: the corner (0, 0) samples the source at row 1 - sqrt 2,
    // column 1, between an outside row (zero, weight sqrt 2 - 1) and row 0 (one, weight 2 - sqrt 2).
    const s = image(3, 3, () => 1);
    const out = new Float32Array(9);
    rotateImage(s, out, 3, 3, 1, 45);
    assert.ok(Math.abs(out[4] - 1) < 1e-6);
    const expectedCorner = 2 - Math.SQRT2;
    assert.ok(Math.abs(out[0] - expectedCorner) < 1e-6, `corner ${out[0]}`);
    // Edge midpoint (0, 1) samples at row 1 - sqrt(1/2), col 1 - sqrt(1/2): all four neighbours inside.
    assert.ok(Math.abs(out[1] - 1) < 1e-6);
  });

  it('rotates every channel of a channel-last image alike', () => {
    const two = Float32Array.from({ length: 32 }, (_, k) => (k % 2 === 0 ? src[k >> 1] : -src[k >> 1]));
    const d: Dataset = { x: two, y: Int32Array.from([3]), sampleShape: [4, 4, 2], numClasses: 10 };
    const out = rotateImages(d, 90);
    const expected = image(4, 4, (r, c) => src[c * 4 + (3 - r)]);
    assertClose(
      out.x.filter((_, k) => k % 2 === 0),
      expected,
    );
    assertClose(
      out.x.filter((_, k) => k % 2 === 1),
      expected.map((v) => -v),
    );
    assert.deepEqual(Array.from(out.y), [3]);
  });
});

describe('rotated', () => {
  const n = 20;
  const data: Dataset = {
    x: Float32Array.from({ length: n * 16 }, (_, k) => (k % 16) / 16),
    y: Int32Array.from({ length: n }, (_, i) => i % 10),
    sampleShape: [4, 4, 1],
    numClasses: 10,
  };
  const split = { train: data, test: data };

  it('gives evenly spaced angles from 0 by default, or the listed ones, as domain-IL', () => {
    assert.deepEqual(resolveAngles({ experiences: 4, seed: 0 }), [0, 45, 90, 135]);
    const s = rotated(split, { angles: [0, 90], seed: 0 });
    assert.equal(s.scenario, 'domain-il');
    assert.equal(s.experiences.length, 2);
    assert.deepEqual(
      s.experiences.map((e) => testTaskId(s, e)),
      [undefined, undefined],
    );
    assertClose(s.experiences[0].train.x, data.x, 0);
    const first = s.experiences[1].test.x.subarray(0, 16);
    assertClose(
      first,
      image(4, 4, (r, c) => data.x[c * 4 + (3 - r)]),
    );
    assert.deepEqual(s.experiences[1].classes, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('draws random angles reproducibly by seed, in [0, 180)', () => {
    const a = resolveAngles({ experiences: 3, angles: 'random', seed: 9 });
    assert.deepEqual(a, resolveAngles({ experiences: 3, angles: 'random', seed: 9 }));
    assert.notDeepEqual(a, resolveAngles({ experiences: 3, angles: 'random', seed: 10 }));
    assert.ok(a.every((x) => x >= 0 && x < 180));
  });

  it('rejects missing or inconsistent experience counts and bad angles', () => {
    const field = (f: string) => (e: unknown) => e instanceof ConfigError && e.field === f;
    assert.throws(() => rotated(split, { seed: 0 }), field('experiences'));
    assert.throws(() => rotated(split, { experiences: 3, angles: [0, 90], seed: 0 }), field('experiences'));
    assert.throws(() => rotated(split, { angles: [], seed: 0 }), field('angles'));
    assert.throws(() => rotated(split, { angles: [Number.NaN], seed: 0 }), field('angles'));
  });
});
