import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import type { Dataset } from './dataset.js';
import { subsample } from './subsample.js';

/** 3 classes of 100, 40 and 2 samples, each sample's value its own index (to trace the picks). */
function toy(): Dataset {
  const y = Int32Array.from([...new Array(100).fill(0), ...new Array(40).fill(1), 2, 2]);
  const order = createRng(1).permutation(y.length);
  return {
    x: Float32Array.from(order, (_, i) => i),
    y: Int32Array.from(order, (j) => y[j]),
    sampleShape: [1],
    numClasses: 3,
    classNames: ['a', 'b', 'c'],
  };
}

function histogram(dataset: Dataset): number[] {
  const counts = new Array(dataset.numClasses).fill(0);
  for (const label of dataset.y) counts[label]++;
  return counts;
}

describe('subsample', () => {
  it('keeps the fraction of every class, at least one each, in original order', () => {
    const data = toy();
    const small = subsample(data, 0.1, createRng(5));
    assert.deepEqual(histogram(small), [10, 4, 1]);
    assert.deepEqual(small.classNames, ['a', 'b', 'c']);
    const picked = Array.from(small.x);
    assert.deepEqual(
      picked,
      [...picked].sort((a, b) => a - b),
    );
    // Each kept sample keeps its own label.
    picked.forEach((index, k) => assert.equal(small.y[k], data.y[index]));
    assert.equal(new Set(picked).size, picked.length);
  });

  it('is fixed by the rng seed and varies with it', () => {
    const data = toy();
    const a = Array.from(subsample(data, 0.3, createRng(9)).x);
    assert.deepEqual(Array.from(subsample(data, 0.3, createRng(9)).x), a);
    assert.notDeepEqual(Array.from(subsample(data, 0.3, createRng(10)).x), a);
    assert.deepEqual(histogram(subsample(data, 0.3, createRng(9))), [30, 12, 1]);
  });

  it('returns the dataset itself for fraction 1', () => {
    const data = toy();
    assert.equal(subsample(data, 1, createRng(0)), data);
  });

  it('rejects fractions outside (0, 1] as a trainFraction ConfigError', () => {
    for (const bad of [0, -0.5, 1.5, Number.NaN]) {
      assert.throws(
        () => subsample(toy(), bad, createRng(0)),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.field === 'trainFraction' &&
          error.message === `trainFraction: expected a number in (0, 1], got ${bad}`,
      );
    }
  });
});
