/**
 * Samples as JSON records `{ "x": [...], "y": ... }`, in JSON Lines (one record a line; blank
 * lines are skipped) or in one JSON array of records. `x` is a flat or nested array of numbers
 * (nested: the sample's shape, e.g. [[1, 2], [3, 4]] is a [2, 2] sample), the same shape in every
 * record; `y` is a number or a non-empty string (labels.ts makes them class ids). Other fields of
 * a record are ignored.
 *
 * Every refusal is a DataFormatError naming the file, the line (JSON Lines, 1-based) or the
 * record (a JSON array, by its 0-based index) and the field, e.g.
 * `train.jsonl: line 4, field "x[1][0]": expected a number, got "a"`.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { DataFormatError } from '../core/errors.js';
import { cachedDecodeSync, fileStamp, type CacheOption } from './file-cache.js';
import type { Label } from './labels.js';

export type JsonSamplesFormat = 'jsonl' | 'json';

export interface JsonSamplesOptions {
  /** `jsonl` (one record a line) or `json` (an array of records); default by extension (`.jsonl`, `.ndjson`: jsonl; `.json`: json; else jsonl unless the text starts with `[`). */
  format?: JsonSamplesFormat;
  /** The decoded-samples cache: a folder, default `cacheDir()`, or false for none. */
  cache?: CacheOption;
  /** `false`: inputs to predict from, whose `y` (when there) is not read; `labels` are then empty. Default true. */
  labelled?: boolean;
}

export interface JsonSamples {
  /** Samples, row-major: `labels.length * size(sampleShape)` values. */
  readonly x: Float32Array;
  /** The `y` of each record. */
  readonly labels: readonly Label[];
  readonly sampleShape: readonly number[];
}

/** Bump when the parsing or the conversion changes, so old caches are decoded again. */
const JSON_SAMPLES_VERSION = 1;

export function loadJsonSamples(file: string, options: JsonSamplesOptions = {}): JsonSamples {
  const format = options.format;
  const decoded = cachedDecodeSync(
    options.cache,
    'json-samples',
    JSON_SAMPLES_VERSION,
    [fileStamp(file)],
    { format, labelled: options.labelled ?? true },
    () => {
      const samples = decodeJsonSamples(file, format, options.labelled ?? true);
      return { meta: { labels: samples.labels, sampleShape: samples.sampleShape }, arrays: { x: samples.x } };
    },
  );
  const meta = decoded.meta as Omit<JsonSamples, 'x'>;
  return { x: decoded.arrays.x as Float32Array, labels: meta.labels, sampleShape: meta.sampleShape };
}

function decodeJsonSamples(
  file: string,
  format: JsonSamplesFormat | undefined,
  labelled: boolean,
): JsonSamples {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataFormatError(file, `expected a readable file, got ${(error as NodeJS.ErrnoException).code}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const kind = format ?? formatOf(file, text);
  const records: { value: unknown; where: string }[] = [];
  if (kind === 'jsonl') {
    const lines = text.split('\n');
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (line === '') return;
      const where = `line ${i + 1}`;
      try {
        records.push({ value: JSON.parse(line), where });
      } catch (error) {
        throw new DataFormatError(
          file,
          `${where}: expected a JSON object, got invalid JSON (${(error as Error).message})`,
        );
      }
    });
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new DataFormatError(
        file,
        `expected a JSON array of records, got invalid JSON (${jsonErrorAt(text, error as Error)})`,
      );
    }
    if (!Array.isArray(parsed)) {
      throw new DataFormatError(
        file,
        `expected a JSON array of records { "x": [...], "y": ... }, got ${kindOf(parsed)}`,
      );
    }
    parsed.forEach((value, i) => records.push({ value, where: `record ${i} (0-based)` }));
  }
  if (records.length === 0) throw new DataFormatError(file, 'expected at least one record, got none');

  let shape: number[] | undefined;
  let size = 0;
  let x = new Float32Array(0);
  const labels: Label[] = labelled ? new Array(records.length) : [];
  records.forEach(({ value, where }, r) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DataFormatError(
        file,
        `${where}: expected an object { "x": [...], "y": ... }, got ${kindOf(value)}`,
      );
    }
    const record = value as Record<string, unknown>;
    const y = record.y;
    if (!labelled) {
      // An input to predict from: its y, if any, is not read.
    } else if (!(typeof y === 'string' && y !== '') && !(typeof y === 'number' && Number.isFinite(y))) {
      const got =
        y === undefined ? 'nothing (no "y" field)' : y === '' ? 'an empty string' : JSON.stringify(y);
      throw new DataFormatError(
        file,
        `${where}, field "y": expected a number or a non-empty string, got ${got}`,
      );
    }
    if (labelled) labels[r] = y as Label;
    const sample = record.x;
    if (!shape) {
      shape = shapeOf(sample, file, where);
      size = shape.reduce((a, b) => a * b, 1);
      x = new Float32Array(records.length * size);
    }
    flatten(sample, shape, 0, x, r * size, 'x', file, where, records[0].where);
  });
  return { x, labels, sampleShape: shape ?? [] };
}

function formatOf(file: string, text: string): JsonSamplesFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.json') return 'json';
  return text.trimStart().startsWith('[') ? 'json' : 'jsonl';
}

/** The shape of a sample, from its first elements; the full check is flatten's. */
function shapeOf(sample: unknown, file: string, where: string): number[] {
  if (!Array.isArray(sample)) {
    const got = sample === undefined ? 'nothing (no "x" field)' : kindOf(sample);
    throw new DataFormatError(file, `${where}, field "x": expected an array of numbers, got ${got}`);
  }
  const shape: number[] = [];
  let at: unknown = sample;
  let path = 'x';
  while (Array.isArray(at)) {
    if (at.length === 0)
      throw new DataFormatError(file, `${where}, field "${path}": expected a non-empty array, got []`);
    shape.push(at.length);
    at = at[0];
    path += '[0]';
  }
  return shape;
}

/** Writes `value` (checked against `shape` from `depth` on) to `out` at `offset`. */
function flatten(
  value: unknown,
  shape: readonly number[],
  depth: number,
  out: Float32Array,
  offset: number,
  path: string,
  file: string,
  where: string,
  first: string,
): void {
  if (depth === shape.length) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      const got =
        value === undefined
          ? 'nothing'
          : Array.isArray(value)
            ? `an array (the sample shape, as in ${first}, is [${shape.join(', ')}])`
            : JSON.stringify(value);
      throw new DataFormatError(file, `${where}, field "${path}": expected a number, got ${got}`);
    }
    out[offset] = value;
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[depth]) {
    const got = value === undefined ? 'nothing' : kindOf(value);
    throw new DataFormatError(
      file,
      `${where}, field "${path}": expected an array of ${shape[depth]} (the sample shape, as in ${first}, is [${shape.join(', ')}]), got ${got}`,
    );
  }
  const stride = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < value.length; i++) {
    flatten(value[i], shape, depth + 1, out, offset + i * stride, `${path}[${i}]`, file, where, first);
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value) ?? typeof value;
}

/** A JSON.parse error's message with the line and column where the text stops being JSON. */
function jsonErrorAt(text: string, error: Error): string {
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return error.message;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${error.message}; at line ${line}, column ${column}`;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** The offset of the first character that makes `text` invalid JSON (a scan run only after JSON.parse failed). */
function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
      i++;
  };
  const expect = (c: string) => {
    space();
    if (text[i] !== c) fail();
    i++;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (close === '}') {
          space();
          if (text[i] !== '"') fail();
          string();
          expect(':');
        }
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (!NUMBER.test(text)) fail();
    i = NUMBER.lastIndex;
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    space();
    return i < text.length ? i : undefined;
  } catch (offset) {
    return typeof offset === 'number' ? offset : undefined;
  }
}
