/** The replay methods refuse a checkpoint state made with other options, naming the field. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../core/random.js';
import { StateReader } from '../../core/state.js';
import { bufferStateValue } from '../../memory/buffer.js';
import { ReservoirBuffer } from '../../memory/reservoir.js';
import { erPlugin } from './er.js';
import { derPlugin } from './der.js';
import { erAcePlugin } from './er-ace.js';
import { agemPlugin } from './agem.js';

/** A replay memory's state whose buffer holds 3 rows of 2 values, with logits of 4 classes or none. */
function replayState(capacity: number, logitsSize: number) {
  const buffer = new ReservoirBuffer({ capacity, sampleSize: 2, logitsSize }, createRng(0));
  buffer.add({
    x: new Float32Array(6),
    y: Int32Array.of(0, 1, 2),
    ...(logitsSize ? { logits: new Float32Array(3 * logitsSize) } : {}),
  });
  return { sampleRng: 12345, buffer: bufferStateValue(buffer.state()) };
}

describe('replay plugin state', () => {
  it('restores a state of the same options, buffer and generators included', () => {
    const plugin = erPlugin({ bufferSize: 8 });
    plugin.restore!(replayState(8, 0));
    assert.equal(plugin.memory.buffer?.size, 3);
    assert.deepEqual(plugin.state!(), replayState(8, 0));
    const fresh = new StateReader(erPlugin({ bufferSize: 8 }).state!(), 'fresh');
    assert.equal(fresh.raw('buffer'), null, 'no buffer before the first step');
  });

  it('refuses a state of another buffer size, or with logits where none are kept and the reverse', () => {
    assert.throws(
      () => erPlugin({ bufferSize: 4 }).restore!(replayState(8, 0)),
      /checkpoint er\.buffer: .*capacity/,
    );
    assert.throws(
      () => erPlugin({ bufferSize: 8 }).restore!(replayState(8, 4)),
      /checkpoint er\.buffer: logitsSize/,
    );
    assert.throws(
      () => derPlugin({ bufferSize: 8 }).restore!(replayState(8, 0)),
      /checkpoint der\.buffer: logitsSize/,
    );
    assert.throws(
      () => erAcePlugin({ bufferSize: 8 }).restore!({ memory: replayState(8, 0), seen: [1, 2] }),
      /checkpoint er-ace: seen: expected int32 values/,
    );
  });

  it('A-GEM refuses a memory of another size, naming it', () => {
    const buffer = new ReservoirBuffer({ capacity: 8, sampleSize: 2 }, createRng(0));
    const memory = { ...bufferStateValue(buffer.state()), policy: 'episodic' };
    assert.throws(
      () => agemPlugin({ bufferSize: 4 }).restore!({ rng: 1, memory }),
      /checkpoint agem\.memory: .*capacity/,
    );
  });
});
