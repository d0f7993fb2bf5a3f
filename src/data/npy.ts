/**
 * Our own reader of NumPy's `.npy` format (versions 1.0, 2.0 and 3.0): the magic `\x93NUMPY`, a
 * major and a minor version byte, the header's length (uint16 in 1.0, uint32 in 2.0 and 3.0,
 * little-endian), the header (a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }`, latin-1 in 1.0 and 2.0,
 * UTF-8 in 3.0), then the data. Only little-endian (or single-byte) plain dtypes in C order are
 * read: `<f4 <f8 <i1 <i2 <i4 <i8 <u1 <u2 <u4 |u1 |i1 |b1`; anything else is refused with what
 * was found.
 *
 * For datasets (`loadNpySamples`): `x` of any shape whose first axis is the samples, `y` the
 * labels, 1-D (or one column, [n, 1]), of an integer or bool dtype, or floats that hold integers.
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { DataFormatError } from '../core/errors.js';

export type NpyDtype =
  '<f4' | '<f8' | '<i1' | '<i2' | '<i4' | '<i8' | '<u1' | '<u2' | '<u4' | '|u1' | '|i1' | '|b1';

export type NpyData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

/** A parsed `.npy` array: its shape, its dtype and its values in C (row-major) order. */
export interface NpyArray {
  readonly shape: readonly number[];
  readonly dtype: NpyDtype;
  /** The values (bool as Uint8Array 0/1, int64 as BigInt64Array), in a buffer of their own. */
  readonly data: NpyData;
}

type TypedArrayClass = {
  new (buffer: ArrayBuffer): NpyData;
  readonly BYTES_PER_ELEMENT: number;
};

const DTYPES: Record<NpyDtype, TypedArrayClass> = {
  '<f4': Float32Array,
  '<f8': Float64Array,
  '<i1': Int8Array,
  '<i2': Int16Array,
  '<i4': Int32Array,
  '<i8': BigInt64Array,
  '<u1': Uint8Array,
  '<u2': Uint16Array,
  '<u4': Uint32Array,
  '|u1': Uint8Array,
  '|i1': Int8Array,
  '|b1': Uint8Array,
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataFormatError(file, 'expected a .npy file (starting with \\x93NUMPY), got other bytes');
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) {
    throw new DataFormatError(file, `expected .npy format version 1.0, 2.0 or 3.0, got ${major}.${minor}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes)
    throw new DataFormatError(file, 'expected a .npy header, got a truncated file');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (bytes.length < dataStart) {
    throw new DataFormatError(
      file,
      `expected a header of ${headerLength} bytes, got a truncated file (${bytes.length} bytes)`,
    );
  }
  const headerText = Buffer.from(bytes.buffer, bytes.byteOffset + 8 + lengthBytes, headerLength).toString(
    major === 3 ? 'utf8' : 'latin1',
  );
  const header = parseHeader(headerText, file);
  const descr = header.descr;
  if (typeof descr !== 'string') {
    throw new DataFormatError(file, `expected a plain dtype, got a structured dtype ${pyRepr(descr)}`);
  }
  if (!(descr in DTYPES)) {
    throw new DataFormatError(
      file,
      `expected a little-endian dtype (one of ${Object.keys(DTYPES).join(' ')}), got '${descr}'${descr.startsWith('>') ? ' (big-endian: save with arr.astype(arr.dtype.newbyteorder("<")))' : ''}`,
    );
  }
  const dtype = descr as NpyDtype;
  if (header.fortran_order !== false) {
    throw new DataFormatError(
      file,
      `expected fortran_order False (C order), got ${pyRepr(header.fortran_order)} (save np.ascontiguousarray(arr))`,
    );
  }
  const shape = header.shape;
  if (
    !Array.isArray(shape) ||
    !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  ) {
    throw new DataFormatError(file, `expected a shape of non-negative integers, got ${pyRepr(shape)}`);
  }
  const Type = DTYPES[dtype];
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  const byteLength = count * Type.BYTES_PER_ELEMENT;
  if (bytes.length - dataStart !== byteLength) {
    const why = bytes.length - dataStart < byteLength ? 'truncated file' : 'trailing bytes';
    throw new DataFormatError(
      file,
      `expected ${byteLength} data bytes for shape (${shape.join(', ')}) of '${dtype}', got ${bytes.length - dataStart} (${why})`,
    );
  }
  // A copy into a buffer of its own: the file's offset need not suit the element size.
  const copy = new Uint8Array(byteLength);
  copy.set(bytes.subarray(dataStart, dataStart + byteLength));
  if (endianness() === 'BE' && Type.BYTES_PER_ELEMENT > 1) swapBytes(copy, Type.BYTES_PER_ELEMENT);
  return { shape: shape as number[], dtype, data: new Type(copy.buffer) };
}

/** Reads and parses a `.npy` file; a missing or unreadable file is a DataFormatError too. */
export function readNpy(file: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new DataFormatError(
      file,
      `expected a readable .npy file, got ${(error as NodeJS.ErrnoException).code}`,
    );
  }
  return parseNpy(bytes, file);
}

export interface NpySamplesOptions {
  /** What x is multiplied by (e.g. 1/255 for bytes of images); default 1. */
  scale?: number;
}

export interface NpySamples {
  readonly x: Float32Array;
  /** The label of each sample, as a number (labels.ts makes them class ids). */
  readonly labels: readonly number[];
  readonly sampleShape: readonly number[];
}

/** Samples from an `x` file (first axis the samples) and labels from a `y` file; see the file's comment. */
export function loadNpySamples(files: { x: string; y: string }, options: NpySamplesOptions = {}): NpySamples {
  const scale = options.scale ?? 1;
  const xs = readNpy(files.x);
  const ys = readNpy(files.y);
  if (xs.shape.length === 0)
    throw new DataFormatError(
      files.x,
      'expected an array whose first axis is the samples, got a scalar (shape ())',
    );
  const n = xs.shape[0];
  if (n === 0)
    throw new DataFormatError(files.x, `expected at least one sample, got shape (${xs.shape.join(', ')})`);
  if (!(ys.shape.length === 1 || (ys.shape.length === 2 && ys.shape[1] === 1))) {
    throw new DataFormatError(files.y, `expected a 1-D array of labels, got shape (${ys.shape.join(', ')})`);
  }
  if (ys.shape[0] !== n) {
    throw new DataFormatError(
      files.y,
      `expected ${n} labels, one per sample of ${files.x} (shape (${xs.shape.join(', ')})), got ${ys.shape[0]}`,
    );
  }
  const sampleShape = xs.shape.length === 1 ? [1] : xs.shape.slice(1);
  const x = new Float32Array(xs.data.length);
  const source = xs.data;
  for (let i = 0; i < x.length; i++) {
    const v = Number(source[i]) * scale;
    if (!Number.isFinite(Math.fround(v))) {
      const size = x.length / n;
      throw new DataFormatError(
        files.x,
        `element ${i} (sample ${Math.floor(i / size)}): expected a finite number${scale === 1 ? '' : ` after scaling by ${scale}`}, got ${Number(source[i])}`,
      );
    }
    x[i] = v;
  }
  const labels: number[] = new Array(n);
  const float = ys.dtype === '<f4' || ys.dtype === '<f8';
  for (let i = 0; i < n; i++) {
    const raw = ys.data[i];
    const v = Number(raw);
    if ((float && !Number.isInteger(v)) || !Number.isSafeInteger(v)) {
      throw new DataFormatError(files.y, `element ${i}: expected an integer label, got ${String(raw)}`);
    }
    labels[i] = v;
  }
  return { x, labels, sampleShape };
}

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

// --- The header: a Python literal (dict, tuple, list, str, int, True/False/None). ---

type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

function parseHeader(text: string, file: string): Record<string, PyValue> {
  const parser = new PyLiteralParser(text, file);
  const value = parser.value();
  parser.end();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataFormatError(
      file,
      `expected a header dict {'descr': ..., 'fortran_order': ..., 'shape': ...}, got ${pyRepr(value)}`,
    );
  }
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!(key in value))
      throw new DataFormatError(
        file,
        `expected the header to have '${key}', got keys ${Object.keys(value).join(', ')}`,
      );
  }
  return value;
}

class PyLiteralParser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  value(): PyValue {
    this.space();
    const c = this.text[this.i];
    if (c === '{') return this.dict();
    if (c === '(' || c === '[') return this.sequence(c === '(' ? ')' : ']');
    if (c === "'" || c === '"') return this.string();
    const word = /^(True|False|None|-?[0-9]+L?)/.exec(this.text.slice(this.i));
    if (!word) this.fail('a value');
    this.i += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace('L', ''));
  }

  end(): void {
    this.space();
    if (this.i < this.text.length) this.fail('the end of the header');
  }

  private dict(): Record<string, PyValue> {
    const out: Record<string, PyValue> = {};
    this.i++;
    for (;;) {
      this.space();
      if (this.text[this.i] === '}') {
        this.i++;
        return out;
      }
      const key = this.value();
      this.space();
      if (this.text[this.i] !== ':') this.fail("':'");
      this.i++;
      out[String(key)] = this.value();
      this.space();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== '}') this.fail("',' or '}'");
    }
  }

  private sequence(close: string): PyValue[] {
    const out: PyValue[] = [];
    this.i++;
    for (;;) {
      this.space();
      if (this.text[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.space();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== close) this.fail(`',' or '${close}'`);
    }
  }

  private string(): string {
    const quote = this.text[this.i];
    const close = this.text.indexOf(quote, this.i + 1);
    if (close < 0) this.fail('a closing quote');
    const s = this.text.slice(this.i + 1, close);
    this.i = close + 1;
    return s;
  }

  private space(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i])) this.i++;
  }

  private fail(expected: string): never {
    const got = this.i < this.text.length ? JSON.stringify(this.text.slice(this.i, this.i + 12)) : 'the end';
    throw new DataFormatError(
      this.file,
      `expected ${expected} in the header at character ${this.i}, got ${got} (header: ${this.text.trim()})`,
    );
  }
}

function pyRepr(value: PyValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null) return 'None';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `(${value.map(pyRepr).join(', ')})`;
  return `{${Object.entries(value)
    .map(([k, v]) => `'${k}': ${pyRepr(v)}`)
    .join(', ')}}`;
}
