import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../core/random.js';
import { readRecords } from './testing/event-file-reader.js';
import { encodeRecord, RECORD_OVERHEAD } from './tfrecord.js';

function randomBytes(seed: number, length: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length }, () => rng.int(256));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

describe('encodeRecord', () => {
  it('frames data as length, length CRC, data, data CRC', () => {
    const data = new TextEncoder().encode('123456789');
    const record = encodeRecord(data);
    assert.equal(record.length, data.length + RECORD_OVERHEAD);
    const view = new DataView(record.buffer);
    assert.equal(view.getBigUint64(0, true), 9n);
    assert.deepEqual(record.subarray(12, 21), data);
    // masked crc32c("123456789"): the check value 0xe3069283, masked by hand (see crc32c.test.ts).
    assert.equal(view.getUint32(21, true), 0xc78ab0e5);
  });

  it('reads back, record by record, with an independent reader that checks both CRCs', () => {
    const payloads = [0, 1, 17, 300, 70000].map((length, i) => randomBytes(i, length));
    const file = concat(payloads.map(encodeRecord));
    assert.deepEqual(readRecords(file), payloads);
  });

  it('is refused by the reader when truncated anywhere or when a byte is flipped', () => {
    const payloads = [randomBytes(1, 40), randomBytes(2, 25)];
    const file = concat(payloads.map(encodeRecord));
    // Every cut inside the file leaves a torn record: a short header, or data the length overruns.
    for (let cut = 1; cut < file.length; cut++) {
      if (cut === payloads[0].length + RECORD_OVERHEAD) {
        assert.equal(readRecords(file.subarray(0, cut)).length, 1, 'a cut between records is clean');
        continue;
      }
      assert.throws(() => readRecords(file.subarray(0, cut)), /truncated|CRC mismatch/, `cut at ${cut}`);
    }
    for (const [at, message] of [
      [3, /length CRC mismatch/],
      [9, /length CRC mismatch/],
      [20, /data CRC mismatch/],
      [file.length - 1, /data CRC mismatch/],
    ] as const) {
      const corrupt = file.slice();
      corrupt[at] ^= 0x10;
      assert.throws(() => readRecords(corrupt), message, `byte ${at} flipped`);
    }
  });
});
