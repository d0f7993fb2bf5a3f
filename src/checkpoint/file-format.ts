/**
 * The checkpoint file format: any saved state (core/state.ts) in one self-checking file.
 *
 *   bytes 0-7    magic "UNFCKPT\n"
 *   bytes 8-11   format version (uint32 LE, 1)
 *   bytes 12-15  header length H (uint32 LE)
 *   16..16+H     header: the state as JSON, each typed array replaced by a reference
 *                {"$a": "f32" | "f64" | "i32" | "u8", "o": byte offset in the data, "n": length}
 *                and each non-finite number by {"$n": "NaN" | "Infinity" | "-Infinity"}
 *   then         data: the typed arrays' bytes (little-endian), each at an 8-byte-aligned offset
 *   last 32      SHA-256 of everything before it
 *
 * The digest makes a truncated or altered file fail to load with a message saying so, instead of
 * restoring half a model. Typed arrays travel as raw bytes: a Fisher matrix or a replay buffer of
 * MNIST images would be several times larger, and slower, as JSON numbers.
 */
import { createHash } from 'node:crypto';
import { DataFormatError } from '../core/errors.js';
import type { StateValue } from '../core/state.js';

const MAGIC = Buffer.from('UNFCKPT\n', 'latin1');
const VERSION = 1;
const PREFIX = MAGIC.length + 8;
const DIGEST = 32;

type ArrayKind = 'f32' | 'f64' | 'i32' | 'u8';
type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
const constructors = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array } as const;

function kindOf(array: TypedArray): ArrayKind {
  if (array instanceof Float32Array) return 'f32';
  if (array instanceof Float64Array) return 'f64';
  if (array instanceof Int32Array) return 'i32';
  return 'u8';
}

/** The file's bytes for `state`. */
export function encodeCheckpoint(state: StateValue): Buffer {
  const chunks: Buffer[] = [];
  let offset = 0;
  const toJson = (value: StateValue, path: string): unknown => {
    if (typeof value === 'number') {
      return Number.isFinite(value) ? value : { $n: String(value) };
    }
    if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
    if (ArrayBuffer.isView(value)) {
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      const padding = (8 - (offset % 8)) % 8;
      if (padding) chunks.push(Buffer.alloc(padding));
      offset += padding;
      const ref = { $a: kindOf(value), o: offset, n: value.length };
      chunks.push(Buffer.from(bytes));
      offset += bytes.length;
      return ref;
    }
    if (Array.isArray(value)) return value.map((v, i) => toJson(v as StateValue, `${path}[${i}]`));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      // `$` keys mark references; a state using one would read back as something else.
      if (key.startsWith('$')) throw new Error(`checkpoint: state key ${path}.${key} must not start with $`);
      if (v === undefined) continue;
      out[key] = toJson(v, `${path}.${key}`);
    }
    return out;
  };
  const header = Buffer.from(JSON.stringify(toJson(state, 'state')), 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(VERSION, MAGIC.length);
  prefix.writeUInt32LE(header.length, MAGIC.length + 4);
  const body = Buffer.concat([prefix, header, ...chunks]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** The state in a checkpoint file's bytes; `file` names it in errors. */
export function decodeCheckpoint(bytes: Uint8Array, file: string): StateValue {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < PREFIX + DIGEST) {
    throw new DataFormatError(file, `truncated: ${buffer.length} bytes, shorter than any checkpoint`);
  }
  if (!buffer.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new DataFormatError(file, 'not an unforget checkpoint (wrong magic bytes)');
  }
  const version = buffer.readUInt32LE(MAGIC.length);
  if (version !== VERSION) {
    throw new DataFormatError(
      file,
      `checkpoint format version ${version}; this unforget reads version ${VERSION}`,
    );
  }
  const body = buffer.subarray(0, buffer.length - DIGEST);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(buffer.subarray(buffer.length - DIGEST))) {
    throw new DataFormatError(
      file,
      'checksum mismatch: the file is truncated or was altered after it was written',
    );
  }
  const headerLength = buffer.readUInt32LE(MAGIC.length + 4);
  const dataStart = PREFIX + headerLength;
  if (dataStart > body.length) throw new DataFormatError(file, 'header runs past the end of the file');
  const data = body.subarray(dataStart);
  let json: unknown;
  try {
    json = JSON.parse(body.subarray(PREFIX, dataStart).toString('utf8'));
  } catch (error) {
    throw new DataFormatError(file, `header is not JSON: ${(error as Error).message}`);
  }
  const fromJson = (value: unknown): StateValue => {
    if (value === null || typeof value !== 'object') return value as StateValue;
    if (Array.isArray(value)) return value.map(fromJson);
    const record = value as Record<string, unknown>;
    if (typeof record.$n === 'string') return Number(record.$n);
    if (typeof record.$a === 'string') {
      const kind = record.$a as ArrayKind;
      const make = constructors[kind];
      const [o, n] = [record.o, record.n];
      if (!make || !Number.isInteger(o) || !Number.isInteger(n)) {
        throw new DataFormatError(file, `bad array reference ${JSON.stringify(record)}`);
      }
      const end = (o as number) + (n as number) * make.BYTES_PER_ELEMENT;
      if (end > data.length) throw new DataFormatError(file, 'an array runs past the end of the data');
      // A copy: aligned, and independent of the file's buffer.
      const copy = new Uint8Array(end - (o as number));
      copy.set(data.subarray(o as number, end));
      return new make(copy.buffer) as TypedArray;
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fromJson(v)]));
  };
  return fromJson(json);
}
