import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFormatError } from '../core/errors.js';
import { decodeCheckpoint, encodeCheckpoint } from './file-format.js';
import { checkpointStore } from './store.js';

const sample = {
  name: 'ewc',
  count: 3,
  loss: NaN,
  bound: -Infinity,
  done: false,
  nothing: null,
  fisher: Float32Array.from([0.5, -1.25, 3e-8]),
  seen: Int32Array.from([4, 2]),
  wide: Float64Array.from([Math.PI]),
  bytes: Uint8Array.from([1, 2, 3]),
  nested: [{ a: Float32Array.from([1]) }, 'x', [1, 2]],
};

describe('checkpoint file', () => {
  it('reads back every kind of value exactly, typed arrays as the same types', () => {
    const back = decodeCheckpoint(encodeCheckpoint(sample), 'f') as typeof sample;
    assert.deepEqual(back, sample);
    assert.ok(back.fisher instanceof Float32Array && back.seen instanceof Int32Array);
    assert.ok(Number.isNaN(back.loss));
  });

  it('refuses a truncated file, an altered byte and a foreign file, naming the file', () => {
    const bytes = encodeCheckpoint(sample);
    const truncated = bytes.subarray(0, bytes.length - 9);
    assert.throws(
      () => decodeCheckpoint(truncated, 'a.ckpt'),
      (e: unknown) => e instanceof DataFormatError && /a\.ckpt.*(checksum|truncated)/.test(e.message),
    );
    const altered = Buffer.from(bytes);
    altered[altered.length - 40] ^= 1;
    assert.throws(() => decodeCheckpoint(altered, 'b.ckpt'), /b\.ckpt: checksum mismatch/);
    assert.throws(
      () => decodeCheckpoint(Buffer.from('{"not": "a checkpoint"} padding padding padding padding'), 'c'),
      /magic/,
    );
    assert.throws(() => decodeCheckpoint(Buffer.alloc(5), 'd'), /truncated/);
  });

  it('refuses state keys that would read back as references', () => {
    assert.throws(() => encodeCheckpoint({ $a: 1 }), /must not start with \$/);
  });
});

describe('checkpoint store', () => {
  it('numbers checkpoints, keeps the newest, and falls back past a corrupt or refused one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-store-'));
    const store = checkpointStore(dir, { keep: 3 });
    for (let n = 1; n <= 5; n++) store.save({ n });
    assert.deepEqual(
      readdirSync(dir).sort(),
      ['checkpoint-000003.ckpt', 'checkpoint-000004.ckpt', 'checkpoint-000005.ckpt'],
      'only the newest three remain, no temporary files',
    );
    const newest = store.files().at(-1)!;
    writeFileSync(newest, readFileSync(newest).subarray(0, 20));
    const loaded = store.latest((state) => {
      if ((state as { n: number }).n === 4) throw new Error('saved by another config');
    });
    assert.deepEqual(loaded.found?.state, { n: 3 });
    assert.deepEqual(
      loaded.refused.map((r) => [r.file.slice(-11), /truncated|checksum/.test(r.reason) || r.reason]),
      [
        ['000005.ckpt', true],
        ['000004.ckpt', 'saved by another config'],
      ],
    );
    store.save({ n: 6 });
    assert.equal(store.files().at(-1)!.slice(-11), '000006.ckpt');
    assert.deepEqual(checkpointStore(join(dir, 'none')).latest(), { found: null, refused: [] });
  });
});
