/** BufferStorage: shapes, footprint, checkpoints. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../core/random.js';
import { BufferStorage } from './buffer.js';
import { ReservoirBuffer } from './reservoir.js';

const rows = (n: number, sampleSize: number, from = 0) => ({
  x: Float32Array.from({ length: n * sampleSize }, (_, i) => from + Math.floor(i / sampleSize)),
  y: Int32Array.from({ length: n }, (_, i) => (from + i) % 3),
});

describe('BufferStorage', () => {
  it('rejects bad shapes with a RangeError naming the field', () => {
    assert.throws(() => new BufferStorage({ capacity: 0, sampleSize: 2 }), /capacity/);
    assert.throws(() => new BufferStorage({ capacity: 2.5, sampleSize: 2 }), RangeError);
    assert.throws(() => new BufferStorage({ capacity: 4, sampleSize: 0 }), /sampleSize/);
    assert.throws(() => new BufferStorage({ capacity: 4, sampleSize: 2, logitsSize: -1 }), /logitsSize/);
    const storage = new BufferStorage({ capacity: 4, sampleSize: 2, logitsSize: 3 });
    const good = { ...rows(2, 2), logits: new Float32Array(6) };
    assert.equal(storage.count(good), 2);
    assert.throws(() => storage.count({ ...good, x: new Float32Array(3) }), /^RangeError: x:/);
    assert.throws(() => storage.count({ ...good, taskIds: new Int32Array(3) }), /^RangeError: taskIds:/);
    assert.throws(() => storage.count({ ...good, logits: new Float32Array(5) }), /^RangeError: logits:/);
    assert.throws(() => storage.count({ x: good.x, y: good.y }), /^RangeError: logits:.*none/);
  });

  it('counts the bytes of its preallocated arrays, full or not', () => {
    const storage = new BufferStorage({ capacity: 10, sampleSize: 5, logitsSize: 3 });
    // x and logits are float32, y and task ids int32: 4 bytes per value.
    assert.equal(storage.memoryBytes(), 4 * (10 * 5 + 10 + 10 + 10 * 3));
    assert.equal(new BufferStorage({ capacity: 10, sampleSize: 5 }).memoryBytes(), 4 * (10 * 5 + 20));
  });

  it('writes and reads rows with their task ids and logits', () => {
    const storage = new BufferStorage({ capacity: 3, sampleSize: 2, logitsSize: 2 });
    const examples = {
      x: Float32Array.of(1, 2, 3, 4),
      y: Int32Array.of(7, 8),
      taskIds: Int32Array.of(5, 6),
      logits: Float32Array.of(0.1, 0.2, 0.3, 0.4),
    };
    storage.write(2, examples, 1);
    storage.write(0, { ...examples, taskIds: 9 }, 0);
    const read = storage.read(Int32Array.of(2, 0));
    assert.deepEqual([...read.x], [3, 4, 1, 2]);
    assert.deepEqual([...read.y], [8, 7]);
    assert.deepEqual([...read.taskIds], [6, 9]);
    assert.deepEqual([...read.logits!], [0.3, 0.4, 0.1, 0.2].map(Math.fround));
    assert.deepEqual([...read.slots], [2, 0]);
  });

  it('draws distinct filled slots, never more than it holds', () => {
    const buffer = new ReservoirBuffer({ capacity: 8, sampleSize: 1 }, createRng(1));
    buffer.add(rows(5, 1));
    const rng = createRng(2);
    for (let trial = 0; trial < 20; trial++) {
      const slots = [...buffer.sample(4, rng).slots];
      assert.equal(new Set(slots).size, 4);
      assert.ok(slots.every((s) => s >= 0 && s < 5));
    }
    assert.equal(buffer.sample(50, rng).y.length, 5);
    assert.equal(buffer.sample(0, rng).y.length, 0);
  });

  it('restores a state into a fresh buffer, and refuses states of another shape or with short arrays', () => {
    const a = new ReservoirBuffer({ capacity: 4, sampleSize: 2 }, createRng(3));
    a.add(rows(9, 2));
    const b = new ReservoirBuffer({ capacity: 4, sampleSize: 2 }, createRng(3));
    b.restore(a.state());
    assert.deepEqual(b.state(), a.state());
    assert.deepEqual(b.all(), a.all());
    const other = new ReservoirBuffer({ capacity: 5, sampleSize: 2 }, createRng(3));
    assert.throws(() => other.restore(a.state()), /^RangeError: buffer state:.*capacity/);
    assert.throws(() => b.restore({ ...a.state(), policy: 'class-balanced' }), RangeError);
    assert.throws(() => b.restore({ ...a.state(), x: new Float32Array(3) }), /^RangeError: buffer state: x:/);
    assert.throws(() => b.restore({ ...a.state(), y: new Int32Array(1) }), /^RangeError: buffer state: y:/);
    assert.throws(() => b.restore({ ...a.state(), size: 5 }), /size 5/);
    assert.throws(() => b.restore({ ...a.state(), seen: 2 }), /seen/);
  });
});
