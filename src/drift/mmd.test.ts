import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusedField } from '../core/testing/refused-field.js';
import { MmdDetector } from './mmd.js';
import { detections, normalStream, vectorStream } from './testing/streams.js';

const zeros = [0, 0, 0, 0, 0];

/** MMD²_u of samples x and y with the Gaussian kernel of bandwidth h, term by term. */
function bruteMmd2(x: ArrayLike<number>[], y: ArrayLike<number>[], h: number): number {
  const k = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let s = 0;
    for (let f = 0; f < a.length; f++) s += (a[f] - b[f]) ** 2;
    return Math.exp(-s / (2 * h * h));
  };
  const within = (s: ArrayLike<number>[]) => {
    let sum = 0;
    for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) if (i !== j) sum += k(s[i], s[j]);
    return sum / (s.length * (s.length - 1));
  };
  let cross = 0;
  for (const a of x) for (const b of y) cross += k(a, b);
  return within(x) + within(y) - (2 * cross) / (x.length * y.length);
}

/** The median of the pairwise distances within `s`. */
function medianDistance(s: ArrayLike<number>[]): number {
  const d: number[] = [];
  for (let i = 0; i < s.length; i++) {
    for (let j = i + 1; j < s.length; j++) {
      let t = 0;
      for (let f = 0; f < s[i].length; f++) t += (s[i][f] - s[j][f]) ** 2;
      d.push(t);
    }
  }
  d.sort((a, b) => a - b);
  const h = d.length >> 1;
  return Math.sqrt(d.length % 2 ? d[h] : (d[h - 1] + d[h]) / 2);
}

describe('MmdDetector', () => {
  it('detects a mean shift of 0.5 in every one of 5 features at 1000 within 100 values', () => {
    for (const seed of [1, 2, 3]) {
      const { drifts } = detections(
        new MmdDetector(),
        vectorStream(seed, [
          [zeros, 1000],
          [[0.5, 0.5, 0.5, 0.5, 0.5], 1000],
        ]),
      );
      assert.ok(drifts.length > 0, `seed ${seed}: no drift`);
      assert.ok(drifts[0] >= 1000 && drifts[0] < 1100, `seed ${seed}: first drift at ${drifts[0]}`);
    }
  });

  it('reports no drift on stationary 5-feature streams of 3000 values (seeds 1, 2, 3)', () => {
    for (const seed of [1, 2, 3]) {
      const mmd = new MmdDetector();
      assert.deepEqual(detections(mmd, vectorStream(seed, [[zeros, 3000]])).drifts, []);
      assert.ok(mmd.pValue >= mmd.options.alpha);
      // Without a drift the permutations stop early, once p >= alpha is sure.
      assert.ok(mmd.permutationsRun < mmd.options.permutations);
    }
  });

  it('computes MMD²_u with the median-heuristic bandwidth, and the recent window becomes the reference at a drift', () => {
    const n = 20;
    const mmd = new MmdDetector({ windowSize: n, checkEvery: 5, alpha: 0.01, permutations: 200 });
    const values = vectorStream(5, [
      [[0, 0, 0], 300],
      [[2, 0, 0], 300],
    ]);
    for (let i = 0; i < 2 * n; i++) mmd.update(values[i]);
    const reference = values.slice(0, n);
    assert.ok(Math.abs(mmd.bandwidth - medianDistance(reference)) < 1e-12);
    const h = mmd.bandwidth;
    assert.ok(Math.abs(mmd.statistic - bruteMmd2(reference, values.slice(n, 2 * n), h)) < 1e-12);
    // Tests follow every 5 updates on the sliding recent window.
    for (let i = 2 * n; i < 2 * n + 5; i++) mmd.update(values[i]);
    const slid = values.slice(n + 5, 2 * n + 5);
    assert.ok(Math.abs(mmd.statistic - bruteMmd2(reference, slid, h)) < 1e-12);
    let at = 2 * n + 4;
    while (!mmd.driftDetected) mmd.update(values[++at]);
    assert.ok(at >= 300 && at < 340, `drift at ${at}`);
    const next = values.slice(at - n + 1, at + 1);
    assert.ok(Math.abs(mmd.bandwidth - medianDistance(next)) < 1e-12);
    for (let i = 1; i <= n; i++) mmd.update(values[at + i]);
    const recent = values.slice(at + 1, at + 1 + n);
    assert.ok(Math.abs(mmd.statistic - bruteMmd2(next, recent, mmd.bandwidth)) < 1e-12);
  });

  it('gives the same p-values for the same seed, takes numbers too, and reset() starts over', () => {
    const values = normalStream(2, [
      [0, 300],
      [1.5, 300],
    ]);
    const run = (mmd: MmdDetector) =>
      values.map((x) => {
        mmd.update(x);
        return mmd.pValue;
      });
    const a = new MmdDetector({ seed: 3 });
    const first = run(a);
    assert.deepEqual(run(new MmdDetector({ seed: 3 })), first);
    a.reset();
    assert.deepEqual(run(a), first);
    const { drifts } = detections(new MmdDetector(), values);
    assert.ok(drifts[0] >= 300 && drifts[0] < 400, `first drift at ${drifts[0]}`);
  });

  it('refuses an alpha the permutations cannot reach, and bad inputs', () => {
    assert.equal(
      refusedField(() => new MmdDetector({ alpha: 0.01, permutations: 99 })),
      'alpha',
    );
    assert.equal(
      refusedField(() => new MmdDetector({ alpha: 0.01, permutations: 100 })),
      null,
    );
    assert.equal(
      refusedField(() => new MmdDetector({ checkEvery: 0 })),
      'checkEvery',
    );
    const mmd = new MmdDetector();
    mmd.update([1, 2]);
    assert.throws(() => mmd.update([1]), /MmdDetector\.update: expected 2 features/);
    assert.throws(
      () => mmd.update('x' as unknown as number),
      /expected a number or a list of numbers, got "x"/,
    );
  });
});
