import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import type { Dataset, DatasetSplit } from '../data/dataset.js';
import { classSplit } from './class-split.js';
import { jointTrain, testTaskId, unionOfTrain } from './stream.js';

// 10 classes x `perClass` samples of 4x4x1; sample i has label i % 10 and pixel p = i * 100 + p,
// so every value says which sample it came from.
function dataset(perClass: number, offset = 0): Dataset {
  const n = 10 * perClass;
  const x = Float32Array.from({ length: n * 16 }, (_, k) => (offset + Math.floor(k / 16)) * 100 + (k % 16));
  const y = Int32Array.from({ length: n }, (_, i) => i % 10);
  return { x, y, sampleShape: [4, 4, 1], numClasses: 10 };
}
const split: DatasetSplit = { train: dataset(5), test: dataset(2, 1000) };

describe('classSplit', () => {
  it('deals classes 0..9 in fixed order into 5 groups whose train and test sets hold exactly their classes', () => {
    const s = classSplit(split, { experiences: 5, seed: 0, scenario: 'class-il' });
    assert.equal(s.scenario, 'class-il');
    assert.equal(s.numClasses, 10);
    assert.deepEqual(s.sampleShape, [4, 4, 1]);
    assert.deepEqual(
      s.experiences.map((e) => e.classes),
      [
        [0, 1],
        [2, 3],
        [4, 5],
        [6, 7],
        [8, 9],
      ],
    );
    assert.deepEqual(
      s.experiences.map((e) => [e.index, e.taskId]),
      [0, 1, 2, 3, 4].map((t) => [t, t]),
    );
    const e1 = s.experiences[1];
    // Labels stay the original class ids; samples keep their order (2, 3, 12, 13, ...).
    assert.deepEqual(Array.from(e1.train.y), [2, 3, 2, 3, 2, 3, 2, 3, 2, 3]);
    assert.deepEqual(Array.from(e1.test.y), [2, 3, 2, 3]);
    assert.equal(e1.train.x[0], 200);
    assert.equal(e1.train.x[16 * 2 + 5], 1205);
    assert.equal(e1.test.x[16 * 3], 101300);
    for (const e of s.experiences) {
      assert.equal(e.train.y.length, 10);
      assert.equal(e.train.x.length, 10 * 16);
      assert.equal(e.test.y.length, 4);
    }
  });

  it('shuffles the class order reproducibly by seed, and differently for another seed', () => {
    const classesOf = (seed: number) =>
      classSplit(split, {
        experiences: 5,
        classOrder: 'shuffled',
        seed,
        scenario: 'class-il',
      }).experiences.map((e) => e.classes);
    const a = classesOf(3);
    assert.deepEqual(a, classesOf(3));
    assert.notDeepEqual(a, classesOf(4));
    assert.deepEqual(
      a.flat().sort((x, y) => x - y),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    for (const [t, classes] of a.entries()) {
      const e = classSplit(split, { experiences: 5, classOrder: 'shuffled', seed: 3, scenario: 'class-il' })
        .experiences[t];
      assert.deepEqual([...new Set(e.train.y)].sort(), classes);
    }
  });

  it('follows an explicit class order and rejects one that is not a permutation', () => {
    const s = classSplit(split, {
      experiences: 2,
      classOrder: [9, 0, 8, 1, 7, 2, 6, 3, 5, 4],
      seed: 0,
      scenario: 'class-il',
    });
    assert.deepEqual(
      s.experiences.map((e) => e.classes),
      [
        [0, 1, 7, 8, 9],
        [2, 3, 4, 5, 6],
      ],
    );
    for (const bad of [
      [0, 1, 2],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 8],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 10],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 1.5],
    ]) {
      assert.throws(
        () => classSplit(split, { experiences: 5, classOrder: bad, seed: 0, scenario: 'class-il' }),
        (e: unknown) => e instanceof ConfigError && e.field === 'classOrder',
      );
    }
  });

  it('rejects an experience count that does not divide the classes, naming `experiences`', () => {
    for (const experiences of [3, 0, 20, 2.5]) {
      assert.throws(
        () => classSplit(split, { experiences, seed: 0, scenario: 'class-il' }),
        (e: unknown) => e instanceof ConfigError && e.field === 'experiences' && /10/.test(e.message),
      );
    }
  });

  it('relabels each experience 0..k-1 in domain-IL, same inputs, no task id at test', () => {
    const ci = classSplit(split, { experiences: 5, seed: 0, scenario: 'class-il', classOrder: 'shuffled' });
    const di = classSplit(split, { experiences: 5, seed: 0, scenario: 'domain-il', classOrder: 'shuffled' });
    assert.equal(di.numClasses, 2);
    assert.equal(di.taskIdVisibleAtTest, false);
    di.experiences.forEach((e, t) => {
      const original = ci.experiences[t];
      assert.deepEqual(e.classes, [0, 1]);
      assert.deepEqual(e.train.x, original.train.x);
      assert.equal(e.train.numClasses, 2);
      // Label k is the experience's k-th smallest original class.
      e.train.y.forEach((label, i) => assert.equal(original.classes[label], original.train.y[i]));
      e.test.y.forEach((label, i) => assert.equal(original.classes[label], original.test.y[i]));
    });
  });

  it('hides task ids at test time in class-IL and shows them in task-IL', () => {
    const ci = classSplit(split, { experiences: 5, seed: 0, scenario: 'class-il' });
    const ti = classSplit(split, { experiences: 5, seed: 0, scenario: 'task-il' });
    assert.equal(ci.taskIdVisibleAtTest, false);
    assert.equal(ti.taskIdVisibleAtTest, true);
    assert.equal(ti.scenario, 'task-il');
    assert.deepEqual(
      ci.experiences.map((e) => testTaskId(ci, e)),
      [undefined, undefined, undefined, undefined, undefined],
    );
    assert.deepEqual(
      ti.experiences.map((e) => testTaskId(ti, e)),
      [0, 1, 2, 3, 4],
    );
    // Same data either way.
    assert.deepEqual(ti.experiences[3].train, ci.experiences[3].train);
  });

  it('joins train sets up to an experience and over the whole stream', () => {
    const s = classSplit(split, { experiences: 5, seed: 0, scenario: 'class-il' });
    const u = unionOfTrain(s, 2);
    assert.equal(u.y.length, 30);
    assert.equal(u.x.length, 30 * 16);
    assert.deepEqual([...new Set(u.y)].sort(), [0, 1, 2, 3, 4, 5]);
    assert.equal(u.x[20 * 16], 400); // experience 2 starts after 2 x 10 samples
    const j = jointTrain(s);
    assert.equal(j.y.length, 50);
    assert.deepEqual(Array.from(j.y.slice(0, 12)), [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 2, 3]);
    assert.equal(unionOfTrain(s, 0).y.length, 10);
    assert.throws(() => unionOfTrain(s, 5), RangeError);
    assert.throws(() => unionOfTrain(s, -1), RangeError);
  });
});
