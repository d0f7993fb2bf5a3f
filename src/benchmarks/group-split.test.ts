import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import { classGroups } from './class-split.js';
import { groupSplit } from './group-split.js';

const dataset = (y: number[]): Dataset => ({
  x: Float32Array.from(y.flatMap((label, i) => [label, i])),
  y: Int32Array.from(y),
  sampleShape: [2],
  numClasses: 3,
});

describe('experiences by a row key', () => {
  it('makes one experience per key, in the order the training set first has it, with its classes', () => {
    const split = { train: dataset([0, 1, 2, 0, 1]), test: dataset([1, 2, 0]) };
    const s = groupSplit(
      split,
      { train: ['2021', '2022', '2022', '2021', '2023'], test: ['2022', '2023', '2021'] },
      { scenario: 'domain-il', name: 'by-year' },
    );
    assert.deepEqual(
      s.experiences.map((e) => [e.index, e.classes, Array.from(e.train.y), Array.from(e.test.y)]),
      [
        [0, [0], [0, 0], [0]],
        [1, [1, 2], [1, 2], [1]],
        [2, [1], [1], [2]],
      ],
    );
    // Rows keep their values, in order.
    assert.deepEqual(Array.from(s.experiences[1].train.x), [1, 1, 2, 2]);
    assert.equal(s.numClasses, 3);
    assert.equal(s.taskIdVisibleAtTest, false);
    assert.throws(
      () =>
        groupSplit(
          split,
          { train: ['a', 'a', 'a', 'a', 'a'], test: ['a', 'b', 'a'] },
          { scenario: 'class-il', name: 'x' },
        ),
      (e: unknown) => e instanceof ConfigError && e.field === 'split.by' && /"b"/.test(e.message),
    );
  });

  it('class groups given explicitly: any sizes in class-IL, equal ones in domain-IL', () => {
    const split = { train: dataset([0, 1, 2, 2, 1]), test: dataset([2, 0]) };
    const s = classGroups(split, [[2], [0, 1]], { scenario: 'class-il', name: 'groups' });
    assert.deepEqual(
      s.experiences.map((e) => [e.classes, Array.from(e.train.y)]),
      [
        [[2], [2, 2]],
        [
          [0, 1],
          [0, 1, 1],
        ],
      ],
    );
    assert.throws(
      () => classGroups(split, [[2], [0, 1]], { scenario: 'domain-il', name: 'x' }),
      /scenario: domain-il asks every experience/,
    );
    assert.throws(
      () => classGroups(split, [[2], [2]], { scenario: 'class-il', name: 'x' }),
      /experience 1: class 2 is not one of 0..2 or is in two experiences/,
    );
  });
});
