/** GDumb's greedy class-balanced sampler. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../core/random.js';
import { ClassBalancedBuffer } from './class-balanced.js';

/** `n` examples of class `label`, input values `from..from+n-1` (their stream position). */
const ofClass = (label: number, from: number, n: number) => ({
  x: Float32Array.from({ length: n }, (_, i) => from + i),
  y: new Int32Array(n).fill(label),
});

const spread = (counts: Map<number, number>) => Math.max(...counts.values()) - Math.min(...counts.values());

describe('ClassBalancedBuffer', () => {
  it('stores everything while there is room', () => {
    const buffer = new ClassBalancedBuffer({ capacity: 10, sampleSize: 1 }, createRng(0));
    buffer.add(ofClass(0, 0, 7));
    buffer.add(ofClass(1, 7, 2));
    assert.equal(buffer.size, 9);
    assert.deepEqual(
      [...buffer.classCounts()],
      [
        [0, 7],
        [1, 2],
      ],
    );
  });

  it('keeps classes within one example of each other on a class-incremental stream', () => {
    const buffer = new ClassBalancedBuffer({ capacity: 20, sampleSize: 1 }, createRng(1));
    let at = 0;
    for (let label = 0; label < 6; label++) {
      for (let b = 0; b < 5; b++) {
        buffer.add(ofClass(label, at, 8));
        at += 8;
        assert.ok(buffer.size <= 20);
      }
      const counts = buffer.classCounts();
      assert.equal(counts.size, label + 1, 'a new class always gets in');
      assert.equal(
        [...counts.values()].reduce((a, b) => a + b, 0),
        Math.min(20, 40 * (label + 1)),
      );
      if (buffer.size === 20) assert.ok(spread(counts) <= 1, `counts ${[...counts]}`);
    }
    // Stored labels agree with the rows: every stored input came from its class's segment.
    const all = buffer.all();
    all.x.forEach((v, r) => assert.equal(Math.floor(v / 40), all.y[r]));
  });

  it('balances an interleaved, imbalanced stream too, and ignores examples of its largest classes', () => {
    const buffer = new ClassBalancedBuffer({ capacity: 12, sampleSize: 1 }, createRng(2));
    const rng = createRng(3);
    for (let i = 0; i < 600; i++) {
      // Class 0 is 10 times as frequent as classes 1 and 2.
      const u = rng.int(12);
      buffer.add(ofClass(u < 10 ? 0 : u - 9, i, 1));
    }
    assert.deepEqual([...buffer.classCounts().values()], [4, 4, 4]);
    const before = buffer.state();
    buffer.add(ofClass(1, 1000, 5));
    assert.deepEqual(buffer.state().x, before.x, 'a class at the maximum replaces nothing');
    assert.equal(buffer.seen, 605);
  });

  it('is deterministic with a seed, and continues identically after a state round trip', () => {
    const run = (seed: number, restoreAt: number | null) => {
      const rng = createRng(seed);
      let buffer = new ClassBalancedBuffer({ capacity: 9, sampleSize: 1 }, rng);
      for (let i = 0; i < 40; i++) {
        if (i === restoreAt) {
          const copy = new ClassBalancedBuffer({ capacity: 9, sampleSize: 1 }, rng);
          copy.restore(buffer.state());
          buffer = copy;
        }
        buffer.add(ofClass(Math.floor(i / 8), i * 4, 4));
      }
      return buffer.state();
    };
    assert.deepEqual(run(4, null), run(4, null));
    assert.deepEqual(run(4, 20), run(4, null));
    assert.notDeepEqual(run(5, null).x, run(4, null).x, 'the seed decides which examples are replaced');
  });

  it('refuses a reservoir buffer state', () => {
    const buffer = new ClassBalancedBuffer({ capacity: 4, sampleSize: 1 }, createRng(0));
    assert.throws(() => buffer.restore({ ...buffer.state(), policy: 'reservoir' }), RangeError);
  });
});
