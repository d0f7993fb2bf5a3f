import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataFormatError } from '../core/errors.js';
import { encodeLabels, MAX_INTEGER_LABEL } from './labels.js';

describe('encodeLabels', () => {
  it('takes non-negative integer labels (numbers or digit strings) as the ids, with names "0".."max"', () => {
    const { train, test, classNames } = encodeLabels([3, '1', 3.0, 0], ['2', 1]);
    assert.deepEqual(Array.from(train), [3, 1, 3, 0]);
    assert.deepEqual(Array.from(test), [2, 1]);
    assert.deepEqual(classNames, ['0', '1', '2', '3']);
    // Classes that never occur keep their slot.
    assert.deepEqual(encodeLabels([1, 3]).classNames, ['0', '1', '2', '3']);
  });

  it('maps other labels by the sorted union of train and test as strings, the same in both', () => {
    const { train, test, classNames } = encodeLabels(['dog', 'cat', 'dog'], ['bird', 'cat']);
    assert.deepEqual(classNames, ['bird', 'cat', 'dog']);
    assert.deepEqual(Array.from(train), [2, 1, 2]);
    assert.deepEqual(Array.from(test), [0, 1]);
    // The same labels in another order give the same ids.
    const again = encodeLabels(['cat', 'bird'], ['dog']);
    assert.deepEqual(again.classNames, classNames);
    assert.deepEqual(Array.from(again.train), [1, 0]);
  });

  it('takes "03", "1.0", negative and fractional labels as strings, sorted by code units', () => {
    assert.deepEqual(encodeLabels(['03', '3']).classNames, ['03', '3']);
    assert.deepEqual(encodeLabels(['1.0', '2']).classNames, ['1.0', '2']);
    const mixed = encodeLabels([-1, 2, 10]);
    assert.deepEqual(mixed.classNames, ['-1', '10', '2']);
    assert.deepEqual(Array.from(mixed.train), [0, 2, 1]);
    assert.deepEqual(encodeLabels([0.5, 1]).classNames, ['0.5', '1']);
    assert.deepEqual(encodeLabels(['B', 'a', 'A']).classNames, ['A', 'B', 'a']);
  });

  it('refuses an integer label too large to be a class id, naming the source', () => {
    assert.throws(
      () => encodeLabels([0, MAX_INTEGER_LABEL + 1], [], 'y.npy'),
      (error: unknown) =>
        error instanceof DataFormatError &&
        error.message ===
          `y.npy: expected integer labels of at most ${MAX_INTEGER_LABEL} (each is its class's id), got ${MAX_INTEGER_LABEL + 1}`,
    );
  });
});
