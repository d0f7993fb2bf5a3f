/** Forgetting stored rows: every memory drops exactly the rows whose input matches, and goes on. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../core/random.js';
import { BufferStorage } from './buffer.js';
import { ClassBalancedBuffer } from './class-balanced.js';
import { ExemplarSet } from './exemplar-set.js';
import { matchRows } from './forget.js';
import { KeyValueMemory } from './key-value-memory.js';
import { PerTaskBuffer } from './per-task-buffer.js';
import { ReservoirBuffer } from './reservoir.js';

/** `n` rows of 3 values; row i is [i, -i, 0.5 + i] with label i % 3 and logits [i, 2i]. */
const rows = (from: number, n: number) => ({
  x: Float32Array.from({ length: n * 3 }, (_, k) => {
    const i = from + Math.floor(k / 3);
    return [i, -i, 0.5 + i][k % 3];
  }),
  y: Int32Array.from({ length: n }, (_, i) => (from + i) % 3),
  logits: Float32Array.from({ length: n * 2 }, (_, k) => (from + Math.floor(k / 2)) * (1 + (k % 2))),
});
const firstValues = (x: Float32Array) => Array.from({ length: x.length / 3 }, (_, r) => x[r * 3]);
/** A match for rows whose first value is in `ids`. */
const matching = (ids: number[]) => matchRows(concat(ids), 3);
const concat = (ids: number[]) => {
  const x = new Float32Array(ids.length * 3);
  ids.forEach((id, k) => x.set(rows(id, 1).x, k * 3));
  return x;
};

describe('matchRows', () => {
  it('matches the exact bit pattern of a row, nothing else', () => {
    const match = matchRows(concat([2, 7]), 3);
    assert.equal(match(rows(2, 1).x), true);
    assert.equal(match(rows(7, 1).x), true);
    assert.equal(match(rows(3, 1).x), false);
    assert.equal(match(Float32Array.from([2, -2, 2.5000002])), false, 'one ulp away is another input');
    assert.equal(match(Float32Array.from([-0, 0, 0.5])), false, '-0 is not 0: the bits differ');
    assert.equal(matchRows(concat([0]), 3)(Float32Array.from([0, -0, 0.5])), true);
  });

  it('refuses rows of another length', () => {
    assert.throws(() => matchRows(new Float32Array(5), 3), /x: expected rows of 3 values, got 5 values/);
  });
});

describe('forgetting stored rows', () => {
  it('BufferStorage removes the matching rows, keeps the others in order with their labels and logits', () => {
    const storage = new BufferStorage({ capacity: 10, sampleSize: 3, logitsSize: 2 });
    const data = rows(0, 8);
    for (let r = 0; r < 8; r++) storage.write(r, data, r);
    storage.size = 8;
    storage.seen = 8;
    const kept = storage.forget(matching([1, 4, 5]));
    assert.deepEqual([...kept], [0, 2, 3, 6, 7]);
    assert.equal(storage.size, 5);
    assert.equal(storage.seen, 8, 'the examples were offered: seen stays');
    const all = storage.read(Int32Array.from([0, 1, 2, 3, 4]));
    assert.deepEqual(firstValues(all.x), [0, 2, 3, 6, 7]);
    assert.deepEqual([...all.y], [0, 2, 0, 0, 1]);
    assert.deepEqual([...all.logits!], [0, 0, 2, 4, 3, 6, 6, 12, 7, 14]);
    assert.deepEqual([...storage.forget(matching([1, 4, 5]))], [0, 1, 2, 3, 4], 'nothing left to remove');
  });

  it('a reservoir buffer goes on filling the freed slots', () => {
    const buffer = new ReservoirBuffer({ capacity: 6, sampleSize: 3 }, createRng(1));
    buffer.add(rows(0, 6));
    assert.equal(buffer.forget(matching([0, 3])), 2);
    assert.equal(buffer.size, 4);
    buffer.add(rows(6, 2));
    assert.deepEqual(firstValues(buffer.all().x), [1, 2, 4, 5, 6, 7]);
  });

  it('a class-balanced buffer counts its classes again', () => {
    const buffer = new ClassBalancedBuffer({ capacity: 9, sampleSize: 3 }, createRng(2));
    buffer.add(rows(0, 9));
    assert.deepEqual(
      [...buffer.classCounts()],
      [
        [0, 3],
        [1, 3],
        [2, 3],
      ],
    );
    assert.equal(buffer.forget(matching([0, 3, 6, 1])), 4);
    assert.deepEqual(
      [...buffer.classCounts()],
      [
        [1, 2],
        [2, 3],
      ],
    );
  });

  it('a key-value memory moves the keys with their rows', () => {
    const memory = new KeyValueMemory({ capacity: 5, sampleSize: 3, keySize: 2 }, createRng(3));
    const data = rows(0, 5);
    memory.add(
      data,
      Float32Array.from({ length: 10 }, (_, k) => 100 + k),
    );
    assert.equal(memory.forget(matching([0, 2])), 2);
    assert.deepEqual([...memory.labels], [1, 0, 1]);
    assert.deepEqual([...memory.keys], [102, 103, 106, 107, 108, 109]);
  });

  it('an exemplar set and a per-task buffer drop the rows from every class and task', () => {
    const set = new ExemplarSet([3], 3);
    set.set(0, concat([0, 3, 6]));
    set.set(1, concat([1]));
    assert.equal(set.forget(matching([3, 1])), 2);
    assert.deepEqual(set.classes(), [0], 'a class left without exemplars is gone');
    assert.deepEqual(firstValues(set.samples(0)), [0, 6]);

    const buffer = new PerTaskBuffer(8, 3);
    buffer.addTask(0, rows(0, 4), createRng(4));
    buffer.addTask(1, rows(10, 4), createRng(5));
    const before = buffer.sizes;
    assert.equal(buffer.forget(matching([0, 1, 2, 3, 10])), before[0] + 1);
    assert.deepEqual(buffer.sizes, [0, before[1] - 1]);
  });
});
