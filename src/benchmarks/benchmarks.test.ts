import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benchmarks } from './benchmarks.js';
import { testTaskId } from './stream.js';

describe('benchmarks on the real datasets', () => {
  it('lists the registered benchmarks', () => {
    assert.deepEqual([...benchmarks.names()].sort(), [
      'files',
      'permuted-mnist',
      'rotated-mnist',
      'split-fashion-mnist',
      'split-mnist',
    ]);
  });

  it('split-mnist: 5 class-IL experiences of 2 classes on MNIST, sub-sampled for training only', () => {
    const stream = benchmarks.get('split-mnist').build({ seed: 0, trainFraction: 0.05 });
    assert.equal(stream.experiences.length, 5);
    assert.deepEqual(
      stream.experiences.map((e) => e.classes),
      [
        [0, 1],
        [2, 3],
        [4, 5],
        [6, 7],
        [8, 9],
      ],
    );
    const train = stream.experiences.reduce((n, e) => n + e.train.y.length, 0);
    const test = stream.experiences.reduce((n, e) => n + e.test.y.length, 0);
    assert.ok(Math.abs(train - 3000) <= 10, `about 5% of 60000 training samples, got ${train}`);
    assert.equal(test, 10000, 'the whole test set');
    for (const e of stream.experiences) {
      assert.ok(e.train.y.every((c) => e.classes.includes(c)));
      assert.equal(testTaskId(stream, e), undefined, 'class-IL hides task ids at test time');
    }
  });

  it('split-mnist in task-IL shows the task id at test time', () => {
    const stream = benchmarks.get('split-mnist').build({ seed: 0, trainFraction: 0.01, scenario: 'task-il' });
    assert.deepEqual(
      stream.experiences.map((e) => testTaskId(stream, e)),
      [0, 1, 2, 3, 4],
    );
  });
});
