import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataFormatError } from '../core/errors.js';
import { parseIdx, readIdxFile } from './idx.js';

/** An IDX unsigned-byte file with the given dims and data. */
function idxBytes(dims: number[], data: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = 0x08;
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  bytes.set(data, 4 + 4 * dims.length);
  return bytes;
}

function throwsFormat(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DataFormatError);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('parseIdx', () => {
  it('reads big-endian dims and the data after the header', () => {
    const parsed = parseIdx(idxBytes([2, 3], [1, 2, 3, 4, 5, 255]), 'a.idx');
    assert.deepEqual(parsed.dims, [2, 3]);
    assert.deepEqual(Array.from(parsed.data), [1, 2, 3, 4, 5, 255]);
  });

  it('reads a dimension size above 255 (big-endian, not little)', () => {
    const parsed = parseIdx(idxBytes([300], new Array(300).fill(7)), 'b.idx');
    assert.deepEqual(parsed.dims, [300]);
    assert.equal(parsed.data.length, 300);
    assert.equal(parsed.data[299], 7);
  });

  it('rejects a truncated data section', () => {
    const bytes = idxBytes([2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, 15);
    throwsFormat(
      () => parseIdx(bytes, 'short.idx'),
      /^short\.idx: expected 18 bytes .* got 15 \(truncated file\)/,
    );
  });

  it('rejects a truncated header', () => {
    throwsFormat(
      () => parseIdx(idxBytes([2, 3], []).subarray(0, 9), 'h.idx'),
      /expected 12 header bytes .* got 9/,
    );
    throwsFormat(() => parseIdx(new Uint8Array([0, 0]), 'tiny.idx'), /at least 4 bytes, got 2/);
  });

  it('rejects trailing bytes', () => {
    const bytes = new Uint8Array([...idxBytes([2], [1, 2]), 9]);
    throwsFormat(() => parseIdx(bytes, 'long.idx'), /expected 10 bytes .* got 11 \(trailing bytes\)/);
  });

  it('rejects a bad magic number and a wrong type', () => {
    const badMagic = idxBytes([1], [5]);
    badMagic[1] = 0x1f;
    throwsFormat(() => parseIdx(badMagic, 'm.idx'), /expected IDX magic bytes 0x00 0x00, got 0x00 0x1f/);
    const float = idxBytes([1], [5]);
    float[2] = 0x0d;
    throwsFormat(() => parseIdx(float, 't.idx'), /expected IDX type 0x08 \(unsigned byte\), got 0x0d/);
  });

  it('rejects zero dimensions and dims that do not match the data', () => {
    throwsFormat(() => parseIdx(idxBytes([], []), 'z.idx'), /expected at least 1 dimension, got 0/);
    throwsFormat(
      () => parseIdx(idxBytes([4, 4], [1, 2, 3, 4]), 'd.idx'),
      /expected 28 bytes \(12 header \+ 4x4 = 16 data\), got 16 \(truncated file\)/,
    );
  });
});

describe('readIdxFile', () => {
  it('names the file on disk that is corrupt or missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-idx-'));
    try {
      const good = join(dir, 'good-idx1-ubyte');
      writeFileSync(good, idxBytes([3], [0, 1, 9]));
      assert.deepEqual(Array.from(readIdxFile(good).data), [0, 1, 9]);
      const corrupt = join(dir, 'corrupt-idx1-ubyte');
      writeFileSync(corrupt, idxBytes([3], [0, 1, 9]).subarray(0, 10));
      assert.throws(
        () => readIdxFile(corrupt),
        (error: unknown) =>
          error instanceof DataFormatError && error.file === corrupt && error.message.startsWith(corrupt),
      );
      throwsFormat(
        () => readIdxFile(join(dir, 'missing')),
        /missing: expected a readable IDX file, got ENOENT/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
