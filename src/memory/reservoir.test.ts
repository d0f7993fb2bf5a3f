/** Reservoir sampling: a uniform sample of the stream in a fixed memory. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../core/random.js';
import { ReservoirBuffer } from './reservoir.js';

/** Examples whose only input value is their position in the stream, `from..from+n-1`. */
const indexed = (from: number, n: number) => ({
  x: Float32Array.from({ length: n }, (_, i) => from + i),
  y: Int32Array.from({ length: n }, (_, i) => (from + i) % 4),
});

describe('ReservoirBuffer', () => {
  it('fills its slots in order, then never holds more than its capacity', () => {
    const buffer = new ReservoirBuffer({ capacity: 10, sampleSize: 1 }, createRng(0));
    buffer.add(indexed(0, 6));
    assert.deepEqual([...buffer.all().x], [0, 1, 2, 3, 4, 5]);
    for (let from = 6; from < 500; from += 7) {
      buffer.add(indexed(from, 7));
      assert.ok(buffer.size <= 10);
    }
    assert.equal(buffer.size, 10);
    assert.equal(buffer.seen, 503);
    assert.equal(new Set(buffer.all().x).size, 10, 'each example is stored at most once');
  });

  it('keeps each of n offered examples with probability capacity / n (chi-square, fixed seed)', () => {
    const n = 20;
    const capacity = 5;
    const trials = 4000;
    const kept = new Array<number>(n).fill(0);
    const seeds = createRng(11);
    for (let t = 0; t < trials; t++) {
      const buffer = new ReservoirBuffer({ capacity, sampleSize: 1 }, seeds.fork());
      // Offered in uneven chunks: batching must not matter.
      for (let from = 0; from < n; from += 3) buffer.add(indexed(from, Math.min(3, n - from)));
      buffer.all().x.forEach((v) => kept[v]++);
    }
    const expected = (trials * capacity) / n;
    const chi2 = kept.reduce((sum, k) => sum + (k - expected) ** 2 / expected, 0);
    // The 0.999 quantile of chi-square with n - 1 = 19 degrees of freedom.
    assert.ok(chi2 < 43.82, `chi-square ${chi2.toFixed(1)}, inclusion counts ${kept.join(' ')}`);
    assert.ok(
      kept.every((k) => Math.abs(k - expected) < 0.1 * expected),
      `every example within 10% of ${expected}: ${kept.join(' ')}`,
    );
  });

  it('repeats with the same seed, and continues identically after a state round trip', () => {
    const run = (restoreAt: number | null) => {
      const rng = createRng(5);
      let buffer = new ReservoirBuffer({ capacity: 6, sampleSize: 1 }, rng);
      for (let from = 0; from < 200; from += 10) {
        if (from === restoreAt) {
          const copy = new ReservoirBuffer({ capacity: 6, sampleSize: 1 }, rng);
          copy.restore(buffer.state());
          buffer = copy;
        }
        buffer.add(indexed(from, 10));
      }
      return buffer.state();
    };
    assert.deepEqual(run(null), run(null));
    assert.deepEqual(run(100), run(null));
  });
});
