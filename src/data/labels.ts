/**
 * Class ids from the labels a user's files carry (a CSV column, JSON `y`, a `.npy` of labels),
 * read in train and test together so that one label gets one id in both.
 *
 * - When every label is a non-negative integer, the id is the label itself and `classNames` are
 *   `"0"`..`String(max)` (a class that never occurs keeps its slot: labels 1..3 give four
 *   classes, "0" unused). An integer is a number (`3`, `3.0` as a float) or a string of decimal
 *   digits without a leading zero (`"3"`, not `"03"`, `"3.0"` or `" 3"`): CSV cells are strings,
 *   and a column of digits is meant as class ids. So `3` and `"3"` are the same class.
 * - Otherwise every label is taken as a string (`String(label)`), and the ids follow the sorted
 *   union of those strings (sorted by UTF-16 code units, so the order is the same on every
 *   machine and locale): `["cat", "dog"]` -> cat = 0, dog = 1.
 */
import { DataFormatError } from '../core/errors.js';

export type Label = number | string;

/** Class ids of the train and test labels and the names of the classes, by id. */
export interface EncodedLabels {
  readonly train: Int32Array;
  readonly test: Int32Array;
  readonly classNames: readonly string[];
}

/**
 * The largest integer label taken as a class id: a label of a million would otherwise make a
 * million classes (and a model with as many outputs), which is never what a file meant.
 */
export const MAX_INTEGER_LABEL = 100_000;

const DIGITS = /^(0|[1-9][0-9]*)$/;

/** The label as a class id, when it is a non-negative integer (see the file's comment). */
function integerLabel(label: Label): number | undefined {
  if (typeof label === 'number') return Number.isInteger(label) && label >= 0 ? label : undefined;
  return DIGITS.test(label) && label.length <= 15 ? Number(label) : undefined;
}

/**
 * Ids for `train` and `test` (see the file's comment). `source` names the file(s) the labels came
 * from, for the error on an integer label over MAX_INTEGER_LABEL.
 */
export function encodeLabels(
  train: readonly Label[],
  test: readonly Label[] = [],
  source = 'labels',
): EncodedLabels {
  const all = [...train, ...test];
  const ints = all.map(integerLabel);
  if (ints.every((id) => id !== undefined)) {
    let max = -1;
    for (const id of ints) max = Math.max(max, id as number);
    if (max > MAX_INTEGER_LABEL) {
      throw new DataFormatError(
        source,
        `expected integer labels of at most ${MAX_INTEGER_LABEL} (each is its class's id), got ${max}`,
      );
    }
    return {
      train: Int32Array.from(ints.slice(0, train.length) as number[]),
      test: Int32Array.from(ints.slice(train.length) as number[]),
      classNames: Array.from({ length: max + 1 }, (_, i) => String(i)),
    };
  }
  const names = [...new Set(all.map(String))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ids = new Map(names.map((name, i) => [name, i]));
  const encode = (labels: readonly Label[]) => Int32Array.from(labels, (l) => ids.get(String(l)) as number);
  return { train: encode(train), test: encode(test), classNames: names };
}
