/** Helpers of the file-dataset tests: files in the formats the loaders read, and refusal messages. */
import assert from 'node:assert/strict';
import { DataFormatError } from '../../core/errors.js';

/** The message of the DataFormatError `f` throws (or the promise it returns rejects with). */
export async function refusalOf(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (error) {
    assert.ok(error instanceof DataFormatError, `expected a DataFormatError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a DataFormatError, got none');
}

/** The message of the DataFormatError the synchronous `f` throws. */
export function refusal(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    assert.ok(error instanceof DataFormatError, `expected a DataFormatError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a DataFormatError, got none');
}

export interface NpyWrite {
  major?: number;
  fortran?: string;
  /** The whole header dict, instead of the one built from descr, shape and fortran. */
  header?: string;
}

/** The bytes of a .npy file as numpy.save writes it (header padded to a multiple of 64). */
export function npyBytes(
  descr: string,
  shape: number[],
  data: ArrayBufferView,
  options: NpyWrite = {},
): Buffer {
  const major = options.major ?? 1;
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header =
    options.header ??
    `{'descr': '${descr}', 'fortran_order': ${options.fortran ?? 'False'}, 'shape': ${tuple}, }`;
  const prefix = major === 1 ? 10 : 12;
  const total = Math.ceil((prefix + Buffer.byteLength(header) + 1) / 64) * 64;
  header = header.padEnd(total - prefix - 1, ' ') + '\n';
  const headerBytes = Buffer.from(header, major === 3 ? 'utf8' : 'latin1');
  const pre = Buffer.alloc(prefix);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(pre);
  if (major === 1) pre.writeUInt16LE(headerBytes.length, 8);
  else pre.writeUInt32LE(headerBytes.length, 8);
  return Buffer.concat([pre, headerBytes, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/**
 * One CIFAR record: the label bytes, then 1024 red, 1024 green and 1024 blue bytes. Pixel
 * (row, col) of record `seed` has red = (seed + row) % 256, green = col, blue = (seed * 7) % 256.
 */
export function cifarRecord(labels: number[], seed: number): Buffer {
  const record = Buffer.alloc(labels.length + 3072);
  labels.forEach((label, i) => (record[i] = label));
  const base = labels.length;
  for (let row = 0; row < 32; row++) {
    for (let col = 0; col < 32; col++) {
      const p = row * 32 + col;
      record[base + p] = (seed + row) % 256;
      record[base + 1024 + p] = col;
      record[base + 2048 + p] = (seed * 7) % 256;
    }
  }
  return record;
}
