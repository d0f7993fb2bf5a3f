/**
 * Our own reader of the IDX format, the container of the MNIST files: two zero bytes, a type
 * byte (0x08 = unsigned byte, the only type MNIST uses), a dimension count, one big-endian uint32
 * per dimension, then the data, row-major. Everything is checked, so a truncated download fails
 * here with the file's name instead of producing silently shifted images.
 */
import { readFileSync } from 'node:fs';
import { DataFormatError } from '../core/errors.js';

/** A parsed IDX file: its dimension sizes and its unsigned-byte data (a view over the input). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) {
    throw new DataFormatError(file, `expected an IDX header of at least 4 bytes, got ${bytes.length} bytes`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFormatError(
      file,
      `expected IDX magic bytes 0x00 0x00, got 0x${hex(bytes[0])} 0x${hex(bytes[1])}`,
    );
  }
  if (bytes[2] !== UNSIGNED_BYTE) {
    throw new DataFormatError(file, `expected IDX type 0x08 (unsigned byte), got 0x${hex(bytes[2])}`);
  }
  const rank = bytes[3];
  if (rank < 1) throw new DataFormatError(file, `expected at least 1 dimension, got ${rank}`);
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new DataFormatError(
      file,
      `expected ${headerLength} header bytes for ${rank} dimensions, got ${bytes.length} bytes (truncated file)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const dataLength = dims.reduce((a, b) => a * b, 1);
  const expected = headerLength + dataLength;
  if (bytes.length !== expected) {
    const why = bytes.length < expected ? 'truncated file' : 'trailing bytes';
    throw new DataFormatError(
      file,
      `expected ${expected} bytes (${headerLength} header + ${dims.join('x')} = ${dataLength} data), got ${bytes.length} (${why})`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Reads and parses an IDX file; a missing or unreadable file is a DataFormatError too. */
export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new DataFormatError(path, `expected a readable IDX file, got ${code}`);
  }
  return parseIdx(bytes, path);
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
