/**
 * Tables of samples from CSV and TSV files: one row a sample, numeric feature columns, a label
 * column and, optionally, a group column (kept as a string per row, e.g. a site or a subject, for
 * a benchmark that splits experiences by it).
 *
 * The parser follows RFC 4180 for both delimiters: a field may be quoted (`"a, b"`), a quote in a
 * quoted field is doubled (`"say ""hi"""`), a quoted field may span lines, and lines end in LF or
 * CRLF. Spaces around a quoted field (`1, "a"`) are allowed and dropped. A quote inside an unquoted field, text after a closing quote and an unclosed quote are
 * refused. Cells are trimmed of surrounding spaces. Blank lines at the end are ignored; a blank
 * line between rows, or a row with another number of cells than the first, is an error.
 *
 * Every refusal is a DataFormatError naming the file, the (1-based) line and the column, e.g.
 * `train.csv: line 12, column "temp": expected a number, got "abc"`.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { DataFormatError } from '../core/errors.js';
import { didYouMean } from '../core/validation.js';
import { cachedDecodeSync, fileStamp, type CacheOption } from './file-cache.js';

/** A column of a table: its name in the header row, or its 0-based index. */
export type ColumnRef = string | number;

export interface TableOptions {
  /** The cell separator; default: a tab for `.tsv` / `.tab` files, else a comma. */
  delimiter?: string;
  /** Whether the first row names the columns (default true); without one, columns are named by index. */
  header?: boolean;
  /**
   * The label column (default `"label"`; a file without a header row needs an index); `null`: the
   * file has none (inputs to predict from: `labels` are then empty).
   */
  label?: ColumnRef | null;
  /** The feature columns, in this order (default: every column but the label and group ones). */
  features?: readonly ColumnRef[];
  /** A column whose value per row is kept as a string (`Table.groups`). */
  group?: ColumnRef;
  /** The decoded-table cache: a folder, default `cacheDir()`, or false for none. */
  cache?: CacheOption;
}

export interface Table {
  /** Features, row-major: `rows * featureNames.length` values. */
  readonly x: Float32Array;
  /** The label cell of each row, trimmed (see labels.ts for how they become class ids). */
  readonly labels: readonly string[];
  /** The group cell of each row, when `group` was asked for. */
  readonly groups?: readonly string[];
  /** The feature columns' names (their indices as strings, for a file without a header row). */
  readonly featureNames: readonly string[];
  /** The feature columns' 0-based indices in the file. */
  readonly featureIndices: readonly number[];
}

/** One record of a delimited file: its cells and the (1-based) line it starts on. */
export interface DelimitedRecord {
  readonly cells: string[];
  readonly line: number;
  /** True for an empty (or spaces-only) line. */
  readonly blank: boolean;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** The records of a delimited text (RFC 4180 quoting; see the file's comment), cells untrimmed. */
export function parseDelimited(text: string, delimiter: string, file: string): DelimitedRecord[] {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new DataFormatError(
      file,
      `expected a one-character delimiter other than a quote or a line end, got ${JSON.stringify(delimiter)}`,
    );
  }
  const sep = delimiter.charCodeAt(0);
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const records: DelimitedRecord[] = [];
  const n = text.length;
  let i = start;
  let line = 1;
  while (i < n) {
    const recordLine = line;
    const cells: string[] = [];
    let quotedAny = false;
    for (;;) {
      // One field, starting at i; spaces before an opening quote (`a, "b"`) are not part of it.
      let q = i;
      while (q < n && isPad(text.charCodeAt(q), sep)) q++;
      if (q < n && text.charCodeAt(q) === QUOTE) {
        i = q;
        quotedAny = true;
        const fieldLine = line;
        let value = '';
        let from = i + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close < 0) {
            throw new DataFormatError(
              file,
              `line ${fieldLine}: expected a closing quote for the field opened here, got the end of the file`,
            );
          }
          value += text.slice(from, close);
          line += countLines(text, from, close);
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            from = close + 2;
          } else {
            i = close + 1;
            break;
          }
        }
        cells.push(value);
        while (i < n && isPad(text.charCodeAt(i), sep)) i++;
        const next = i < n ? text.charCodeAt(i) : -1;
        if (next !== -1 && next !== sep && next !== LF && next !== CR) {
          throw new DataFormatError(
            file,
            `line ${line}, cell ${cells.length}: expected the delimiter or the end of the line after a closing quote, got ${JSON.stringify(text[i])}`,
          );
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === sep || c === LF || c === CR) break;
          if (c === QUOTE) {
            throw new DataFormatError(
              file,
              `line ${line}, cell ${cells.length + 1}: expected no quote inside an unquoted cell (quote the whole cell and double the quote), got ${JSON.stringify(text.slice(i, Math.min(j + 10, n)))}`,
            );
          }
          j++;
        }
        cells.push(text.slice(i, j));
        i = j;
      }
      if (i < n && text.charCodeAt(i) === sep) {
        i++;
        continue;
      }
      break;
    }
    // The end of the record: a line end or the end of the text.
    if (i < n && text.charCodeAt(i) === CR) i++;
    if (i < n && text.charCodeAt(i) === LF) i++;
    line++;
    records.push({
      cells,
      line: recordLine,
      blank: !quotedAny && cells.length === 1 && cells[0].trim() === '',
    });
  }
  return records;
}

/** A space or a tab that is not the delimiter: allowed around a quoted cell. */
function isPad(c: number, sep: number): boolean {
  return (c === 0x20 || c === 0x09) && c !== sep;
}

function countLines(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === LF || (c === CR && text.charCodeAt(k + 1) !== LF)) count++;
  }
  return count;
}

/** The default delimiter of a file: a tab for `.tsv` / `.tab`, else a comma. */
export function delimiterOf(file: string): string {
  return ['.tsv', '.tab'].includes(extname(file).toLowerCase()) ? '\t' : ',';
}

const NUMBER = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
/** Bump when the parsing or the conversion changes, so old caches are decoded again. */
const TABLE_VERSION = 1;

/** Reads a CSV or TSV file into features, labels and (optionally) groups; see TableOptions. */
export function loadTable(file: string, options: TableOptions = {}): Table {
  const settings = {
    delimiter: options.delimiter ?? delimiterOf(file),
    header: options.header ?? true,
    label: options.label,
    features: options.features,
    group: options.group,
  };
  const decoded = cachedDecodeSync(options.cache, 'table', TABLE_VERSION, [fileStamp(file)], settings, () => {
    const table = decodeTable(file, settings);
    return {
      meta: {
        labels: table.labels,
        groups: table.groups,
        featureNames: table.featureNames,
        featureIndices: table.featureIndices,
      },
      arrays: { x: table.x },
    };
  });
  const meta = decoded.meta as Omit<Table, 'x'>;
  return {
    x: decoded.arrays.x as Float32Array,
    labels: meta.labels,
    ...(meta.groups ? { groups: meta.groups } : {}),
    featureNames: meta.featureNames,
    featureIndices: meta.featureIndices,
  };
}

interface Settings {
  delimiter: string;
  header: boolean;
  label: ColumnRef | null | undefined;
  features: readonly ColumnRef[] | undefined;
  group: ColumnRef | undefined;
}

function decodeTable(file: string, settings: Settings): Table {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataFormatError(file, `expected a readable file, got ${(error as NodeJS.ErrnoException).code}`);
  }
  const records = parseDelimited(text, settings.delimiter, file);
  while (records.length > 0 && records[records.length - 1].blank) records.pop();
  if (records.length === 0)
    throw new DataFormatError(file, 'expected a header row and samples, got an empty file');
  const headerRecord = settings.header ? records[0] : undefined;
  const rows = settings.header ? records.slice(1) : records;
  const width = records[0].cells.length;
  const names = headerRecord ? headerRecord.cells.map((c) => c.trim()) : undefined;
  if (names) {
    const seen = new Map<string, number>();
    names.forEach((name, i) => {
      const before = seen.get(name);
      if (before !== undefined) {
        throw new DataFormatError(
          file,
          `line ${headerRecord?.line}: expected distinct column names, got ${JSON.stringify(name)} as columns ${before} and ${i} (0-based)`,
        );
      }
      seen.set(name, i);
    });
  }
  const columnName = (i: number) => (names ? JSON.stringify(names[i]) : String(i));
  const resolve = (ref: ColumnRef, what: string): number => {
    if (typeof ref === 'number') {
      if (!Number.isInteger(ref) || ref < 0 || ref >= width) {
        throw new DataFormatError(file, `${what}: expected a column index in [0, ${width - 1}], got ${ref}`);
      }
      return ref;
    }
    if (!names) {
      throw new DataFormatError(
        file,
        `${what}: expected a 0-based column index (the file has no header row, header: false), got ${JSON.stringify(ref)}`,
      );
    }
    const index = names.indexOf(ref);
    if (index < 0) {
      // Names of one or two characters are too short for a guess to mean anything.
      const guess = ref.length > 2 ? didYouMean(ref, names) : undefined;
      const hint = guess
        ? `; did you mean ${JSON.stringify(guess)}?`
        : ` (columns: ${names.map((c) => JSON.stringify(c)).join(', ')})`;
      throw new DataFormatError(
        file,
        `${what}: expected a column of the header row, got ${JSON.stringify(ref)}${hint}`,
      );
    }
    return index;
  };
  if (settings.label === undefined && !names && settings.label !== null) {
    throw new DataFormatError(
      file,
      'label: expected the label column as a 0-based index, since the file has no header row (header: false)',
    );
  }
  const labelColumn = settings.label === null ? undefined : resolve(settings.label ?? 'label', 'label');
  const groupColumn = settings.group === undefined ? undefined : resolve(settings.group, 'group');
  const featureColumns = settings.features
    ? settings.features.map((ref, k) => resolve(ref, `features[${k}]`))
    : Array.from({ length: width }, (_, i) => i).filter((i) => i !== labelColumn && i !== groupColumn);
  if (featureColumns.length === 0) {
    throw new DataFormatError(
      file,
      `expected at least one feature column besides the label${groupColumn === undefined ? '' : ' and group'}, got none`,
    );
  }
  if (labelColumn !== undefined && featureColumns.includes(labelColumn)) {
    throw new DataFormatError(
      file,
      `features: expected columns other than the label column ${columnName(labelColumn)}, got it among them`,
    );
  }
  // Blank lines before the last row are errors (the trailing ones are gone).
  if (rows.length === 0) throw new DataFormatError(file, 'expected at least one row of samples, got none');
  const x = new Float32Array(rows.length * featureColumns.length);
  const labels: string[] = labelColumn === undefined ? [] : new Array(rows.length);
  const groups: string[] | undefined = groupColumn === undefined ? undefined : new Array(rows.length);
  const nf = featureColumns.length;
  const reference = headerRecord ? 'the header row' : `line ${records[0].line}`;
  for (let r = 0; r < rows.length; r++) {
    const { cells, line, blank } = rows[r];
    if (cells.length !== width) {
      const got = blank ? 'a blank line' : `${cells.length}`;
      throw new DataFormatError(
        file,
        `line ${line}: expected ${width} cells (as ${reference} has), got ${got}`,
      );
    }
    for (let k = 0; k < nf; k++) {
      const c = featureColumns[k];
      const cell = cells[c].trim();
      const value = NUMBER.test(cell) ? Number(cell) : NaN;
      if (!Number.isFinite(Math.fround(value))) {
        const got =
          cell === ''
            ? 'an empty cell'
            : NUMBER.test(cell)
              ? `${cell} (beyond float32)`
              : JSON.stringify(cell);
        throw new DataFormatError(
          file,
          `line ${line}, column ${columnName(c)}: expected a number, got ${got}`,
        );
      }
      x[r * nf + k] = value;
    }
    if (labelColumn !== undefined) {
      const label = cells[labelColumn].trim();
      if (label === '') {
        throw new DataFormatError(
          file,
          `line ${line}, column ${columnName(labelColumn)}: expected a label, got an empty cell`,
        );
      }
      labels[r] = label;
    }
    if (groups && groupColumn !== undefined) {
      const group = cells[groupColumn].trim();
      if (group === '') {
        throw new DataFormatError(
          file,
          `line ${line}, column ${columnName(groupColumn)}: expected a group, got an empty cell`,
        );
      }
      groups[r] = group;
    }
  }
  return {
    x,
    labels,
    ...(groups ? { groups } : {}),
    featureNames: featureColumns.map((c) => (names ? names[c] : String(c))),
    featureIndices: featureColumns,
  };
}
