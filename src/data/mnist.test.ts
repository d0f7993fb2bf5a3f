import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataFormatError } from '../core/errors.js';
import { loadMnist, mnistDataDir } from './mnist.js';

describe('loadMnist', () => {
  it('loads 60000/10000 28x28x1 images in [0, 1] with 10 classes, in about a second', () => {
    const start = performance.now();
    const { train, test } = loadMnist();
    const seconds = (performance.now() - start) / 1000;
    assert.ok(seconds < 3, `took ${seconds.toFixed(2)} s`);
    assert.equal(train.y.length, 60000);
    assert.equal(test.y.length, 10000);
    assert.equal(train.x.length, 60000 * 784);
    assert.equal(test.x.length, 10000 * 784);
    assert.deepEqual(train.sampleShape, [28, 28, 1]);
    assert.equal(train.numClasses, 10);
    assert.ok(train.y instanceof Int32Array && train.x instanceof Float32Array);
    let min = Infinity;
    let max = -Infinity;
    for (const v of train.x) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    assert.equal(min, 0);
    assert.equal(max, 1);
    // The first training digit of MNIST is a 5, the first test digit a 7.
    assert.equal(train.y[0], 5);
    assert.equal(test.y[0], 7);
    const histogram = new Array(10).fill(0);
    for (const label of train.y) histogram[label]++;
    for (const count of histogram) assert.ok(count >= 5000 && count <= 7000, `class count ${count}`);
    const testHistogram = new Array(10).fill(0);
    for (const label of test.y) testHistogram[label]++;
    assert.equal(
      testHistogram.reduce((a, b) => a + b),
      10000,
    );
    assert.ok(testHistogram.every((count) => count >= 800 && count <= 1200));
  });

  it('rejects label and image files whose counts disagree, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-mnist-'));
    try {
      for (const name of ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
        copyFileSync(join(mnistDataDir(), name), join(dir, name));
      }
      // A well-formed label file with one label too few.
      const labels = new Uint8Array(8 + 59999);
      labels[2] = 0x08;
      labels[3] = 1;
      new DataView(labels.buffer).setUint32(4, 59999, false);
      const labelsFile = join(dir, 'train-labels-idx1-ubyte');
      writeFileSync(labelsFile, labels);
      assert.throws(
        () => loadMnist({ dataDir: dir }),
        (error: unknown) =>
          error instanceof DataFormatError &&
          error.file === labelsFile &&
          error.message.endsWith('expected dims [60000], got [59999]'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
