import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../core/random.js';
import { PerTaskBuffer } from './per-task-buffer.js';

/** `n` rows of one value per input (2 values each), labelled `label + k % 2`. */
const rows = (n: number, label: number) => ({
  x: Float32Array.from({ length: n * 2 }, (_, i) => label * 1000 + Math.floor(i / 2)),
  y: Int32Array.from({ length: n }, (_, k) => label + (k % 2)),
});

describe('PerTaskBuffer', () => {
  it('gives every task seen an equal part (within one row), shrinking the older ones', () => {
    const buffer = new PerTaskBuffer(10, 2);
    const rng = createRng(1);
    buffer.addTask(0, rows(50, 0), rng);
    assert.deepEqual(buffer.sizes, [10]);
    buffer.addTask(1, rows(50, 10), rng);
    assert.deepEqual(buffer.sizes, [5, 5]);
    buffer.addTask(2, rows(50, 20), rng);
    assert.deepEqual(buffer.sizes, [4, 3, 3]);
    buffer.addTask(3, rows(2, 30), rng);
    // A task with fewer rows than its part keeps them all; the others never exceed theirs.
    assert.deepEqual(buffer.sizes, [3, 3, 2, 2]);
    assert.deepEqual(buffer.tasks, [0, 1, 2, 3]);
    assert.ok(buffer.size <= buffer.capacity);
    assert.equal(buffer.memoryBytes(), 10 * (2 * 4 + 8));
    assert.throws(() => buffer.addTask(1, rows(5, 0), rng), /stored already/);
  });
  it('splits a replay batch by largest remainders, summing to n', () => {
    assert.deepEqual(PerTaskBuffer.split(10, [2, 1, 1]), [5, 3, 2]);
    assert.deepEqual(PerTaskBuffer.split(10, [1, 1, 1]), [4, 3, 3]);
    assert.deepEqual(PerTaskBuffer.split(7, [0.5, 1.5]), [2, 5]);
    assert.deepEqual(PerTaskBuffer.split(4, [0, 0]), [0, 0]);
  });
  it('draws each task its share of distinct stored rows, tagged with the task', () => {
    const buffer = new PerTaskBuffer(30, 2);
    const rng = createRng(2);
    buffer.addTask(0, rows(40, 0), rng);
    buffer.addTask(1, rows(40, 10), rng);
    buffer.addTask(2, rows(40, 20), rng);
    const batch = buffer.sample(12, [2, 1, 1], rng);
    const count = (t: number) => [...batch.taskIds].filter((id) => id === t).length;
    assert.deepEqual([count(0), count(1), count(2)], [6, 3, 3]);
    batch.taskIds.forEach((t, r) => {
      // Rows of task t came from rows(40, 10 t): labels 10t or 10t + 1, inputs 1000 * 10t + index.
      assert.ok(batch.y[r] === 10 * t || batch.y[r] === 10 * t + 1);
      assert.equal(Math.floor(batch.x[2 * r] / 1000), 10 * t);
    });
    const task0 = [...batch.x].filter((_, i) => i % 2 === 0 && batch.taskIds[i / 2] === 0);
    assert.equal(new Set(task0).size, 6, 'no row drawn twice while a part has enough');
    // Uniform shares: an equal split.
    const even = buffer.sample(9, [1, 1, 1], rng);
    assert.deepEqual(
      [0, 1, 2].map((t) => [...even.taskIds].filter((id) => id === t).length),
      [3, 3, 3],
    );
  });
  it('restores its parts into a fresh buffer, which then adds and samples as the original', () => {
    const original = new PerTaskBuffer(10, 2);
    const rng = createRng(3);
    original.addTask(0, rows(20, 0), rng);
    original.addTask(1, rows(20, 10), rng);
    const copy = new PerTaskBuffer(10, 2);
    copy.restore(original.state(), 'checkpoint buffer');
    const copyRng = createRng(rng.state());
    original.addTask(2, rows(20, 20), rng);
    copy.addTask(2, rows(20, 20), copyRng);
    assert.deepEqual(copy.sample(6, [1, 2, 3], copyRng), original.sample(6, [1, 2, 3], rng));
    assert.throws(
      () => new PerTaskBuffer(12, 2).restore(original.state(), 'checkpoint buffer'),
      /checkpoint buffer: capacity: expected 12, got 10/,
    );
  });
});
