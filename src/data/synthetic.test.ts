import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import type { Dataset } from './dataset.js';
import { gaussianClusters } from './synthetic.js';

/** Accuracy of the nearest-train-mean classifier, a linear rule, on `test`. */
function nearestMeanAccuracy(train: Dataset, test: Dataset): number {
  const dims = train.sampleShape[0];
  const means = new Float64Array(train.numClasses * dims);
  const counts = new Float64Array(train.numClasses);
  train.y.forEach((c, k) => {
    counts[c]++;
    for (let d = 0; d < dims; d++) means[c * dims + d] += train.x[k * dims + d];
  });
  means.forEach((_, i) => (means[i] /= counts[Math.floor(i / dims)]));
  let correct = 0;
  test.y.forEach((label, k) => {
    let best = -1;
    let bestDistance = Infinity;
    for (let c = 0; c < train.numClasses; c++) {
      let distance = 0;
      for (let d = 0; d < dims; d++) distance += (test.x[k * dims + d] - means[c * dims + d]) ** 2;
      if (distance < bestDistance) [best, bestDistance] = [c, distance];
    }
    if (best === label) correct++;
  });
  return correct / test.y.length;
}

describe('gaussianClusters', () => {
  const options = {
    numClasses: 4,
    samplesPerClass: 20,
    testSamplesPerClass: 5,
    dims: 8,
    spread: 0.1,
    seed: 3,
  };

  it('has the requested sizes, interleaved labels and shape', () => {
    const { train, test } = gaussianClusters(options);
    assert.equal(train.y.length, 80);
    assert.equal(test.y.length, 20);
    assert.equal(train.x.length, 80 * 8);
    assert.deepEqual(train.sampleShape, [8]);
    assert.equal(train.numClasses, 4);
    assert.deepEqual(Array.from(test.y.subarray(0, 6)), [0, 1, 2, 3, 0, 1]);
  });

  it('is fixed by the seed', () => {
    const a = gaussianClusters(options);
    const b = gaussianClusters(options);
    const c = gaussianClusters({ ...options, seed: 4 });
    assert.deepEqual(a.train.x, b.train.x);
    assert.deepEqual(a.test.x, b.test.x);
    assert.notDeepEqual(a.train.x, c.train.x);
    // The test size does not move the centres or the train samples.
    assert.deepEqual(gaussianClusters({ ...options, testSamplesPerClass: 9 }).train.x, a.train.x);
  });

  it('is separable by a linear rule at small spread, and not at a huge one', () => {
    const { train, test } = gaussianClusters(options);
    assert.equal(nearestMeanAccuracy(train, test), 1);
    const noisy = gaussianClusters({ ...options, spread: 50, samplesPerClass: 5, testSamplesPerClass: 50 });
    assert.ok(nearestMeanAccuracy(noisy.train, noisy.test) < 0.7);
  });

  it('scatters samples with the requested spread', () => {
    const { train } = gaussianClusters({ ...options, numClasses: 1, samplesPerClass: 2000, spread: 0.5 });
    let sumSquares = 0;
    // Per-dimension deviation around the (single) class's empirical mean.
    for (let d = 0; d < 8; d++) {
      let m = 0;
      for (let k = 0; k < 2000; k++) m += train.x[k * 8 + d] / 2000;
      for (let k = 0; k < 2000; k++) sumSquares += (train.x[k * 8 + d] - m) ** 2;
    }
    assert.ok(Math.abs(Math.sqrt(sumSquares / (2000 * 8)) - 0.5) < 0.02);
  });

  it('rejects bad options with the field name', () => {
    assert.throws(
      () => gaussianClusters({ ...options, dims: 0 }),
      (e: unknown) => e instanceof ConfigError && e.field === 'dims',
    );
    assert.throws(
      () => gaussianClusters({ ...options, spread: -1 }),
      /^ConfigError: spread: expected a finite number >= 0, got -1$/,
    );
  });
});
