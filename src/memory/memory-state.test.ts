/** Checkpoint state of the memories: their generators travel with their rows, and misfits are refused by name. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../core/random.js';
import { DataFormatError } from '../core/errors.js';
import { bufferStateValue, readBufferState, restoreBuffer } from './buffer.js';
import { ReservoirBuffer } from './reservoir.js';
import { ClassBalancedBuffer } from './class-balanced.js';
import { KeyValueMemory } from './key-value-memory.js';
import { ExemplarSet } from './exemplar-set.js';

/** `n` rows of one value each, the row's number; labels cycle over 3 classes. */
const rows = (from: number, n: number) => ({
  x: Float32Array.from({ length: n }, (_, i) => from + i),
  y: Int32Array.from({ length: n }, (_, i) => (from + i) % 3),
});

describe('buffer state', () => {
  for (const make of [
    (seed: number) => new ReservoirBuffer({ capacity: 5, sampleSize: 1 }, createRng(seed)),
    (seed: number) => new ClassBalancedBuffer({ capacity: 5, sampleSize: 1 }, createRng(seed)),
  ]) {
    it(`${make(0).policy}: a fresh buffer with another generator continues exactly after a restore`, () => {
      const whole = make(7);
      const stopped = make(7);
      for (let from = 0; from < 60; from += 4) whole.add(rows(from, 4));
      for (let from = 0; from < 28; from += 4) stopped.add(rows(from, 4));
      // The restored buffer's own generator (seed 99) is replaced by the saved one.
      const resumed = make(99);
      restoreBuffer(resumed, bufferStateValue(stopped.state()), 'checkpoint test');
      for (let from = 28; from < 60; from += 4) resumed.add(rows(from, 4));
      assert.deepEqual(resumed.state(), whole.state());
    });
  }

  it('refuses a state of other options or without the generator, naming the field', () => {
    const buffer = new ReservoirBuffer({ capacity: 5, sampleSize: 1 }, createRng(1));
    buffer.add(rows(0, 9));
    const saved = bufferStateValue(buffer.state());
    const bigger = new ReservoirBuffer({ capacity: 6, sampleSize: 1 }, createRng(1));
    assert.throws(
      () => restoreBuffer(bigger, saved, 'checkpoint er.buffer'),
      (e: unknown) => e instanceof DataFormatError && /^checkpoint er\.buffer: .*capacity/.test(e.message),
    );
    const { rng: _rng, ...withoutRng } = saved;
    assert.throws(() => restoreBuffer(buffer, withoutRng, 'checkpoint er.buffer'), /rng: expected/);
    assert.throws(
      () => readBufferState({ ...saved, x: new Int32Array(5) }, 'here'),
      /here: x: expected float32/,
    );
    assert.throws(() => readBufferState({ ...saved, seen: 'many' }, 'here'), /here: seen: expected a number/);
  });
});

describe('KeyValueMemory state', () => {
  const keysOf = (x: Float32Array) => Float32Array.from([...x].flatMap((v) => [v, 1]));

  it('continues exactly in a fresh memory with another generator, keys included', () => {
    const shape = { capacity: 4, sampleSize: 1, keySize: 2 };
    const whole = new KeyValueMemory(shape, createRng(3));
    const stopped = new KeyValueMemory(shape, createRng(3));
    for (let from = 0; from < 40; from += 5) whole.add(rows(from, 5), keysOf(rows(from, 5).x));
    for (let from = 0; from < 20; from += 5) stopped.add(rows(from, 5), keysOf(rows(from, 5).x));
    const resumed = new KeyValueMemory(shape, createRng(50));
    resumed.restore(stopped.state(), 'checkpoint');
    for (let from = 20; from < 40; from += 5) resumed.add(rows(from, 5), keysOf(rows(from, 5).x));
    assert.deepEqual(resumed.state(), whole.state());
  });

  it('refuses another key size or short keys, and is left as it was', () => {
    const memory = new KeyValueMemory({ capacity: 4, sampleSize: 1, keySize: 2 }, createRng(0));
    memory.add(rows(0, 3), keysOf(rows(0, 3).x));
    const saved = memory.state();
    const wide = new KeyValueMemory({ capacity: 4, sampleSize: 1, keySize: 3 }, createRng(0));
    assert.throws(() => wide.restore(saved, 'checkpoint m'), /checkpoint m: keySize: expected 3, got 2/);
    const fresh = new KeyValueMemory({ capacity: 4, sampleSize: 1, keySize: 2 }, createRng(0));
    assert.throws(
      () => fresh.restore({ ...saved, keys: new Float32Array(2) }, 'checkpoint m'),
      /keys: expected 6 values/,
    );
    assert.equal(fresh.size, 0);
  });
});

describe('ExemplarSet state', () => {
  it('makes a set with the same exemplars, and refuses samples that do not fit', () => {
    const set = new ExemplarSet([2], 4);
    set.set(3, Float32Array.of(1, 2, 3, 4));
    set.set(1, Float32Array.of(5, 6));
    const copy = ExemplarSet.fromState(set.state(), 'checkpoint icarl.exemplars');
    assert.deepEqual(copy.toDataset(), set.toDataset());
    assert.deepEqual(copy.state(), set.state());
    assert.throws(
      () => ExemplarSet.fromState({ ...set.state(), samples: [Float32Array.of(1)] }, 'e'),
      /e: samples: expected 2 lists/,
    );
    assert.throws(
      () =>
        ExemplarSet.fromState({ ...set.state(), samples: [Float32Array.of(1), Float32Array.of(2, 3)] }, 'e'),
      /e: samples\[0\]: expected rows of 2/,
    );
  });
});
