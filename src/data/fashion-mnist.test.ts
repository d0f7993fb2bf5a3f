import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FASHION_MNIST_CLASS_NAMES, loadFashionMnist } from './fashion-mnist.js';

const dir = mkdtempSync(join(tmpdir(), 'unforget-fmnist-'));
const previous = process.env.UNFORGET_CACHE_DIR;
process.env.UNFORGET_CACHE_DIR = dir;
after(() => {
  if (previous === undefined) delete process.env.UNFORGET_CACHE_DIR;
  else process.env.UNFORGET_CACHE_DIR = previous;
  rmSync(dir, { recursive: true, force: true });
});

describe('loadFashionMnist', () => {
  it('builds a 6000/1000-per-class split over a corrupt cache, caches it, and reloads it in < 2 s', () => {
    // One build serves both checks (a build parses 150 MB of JSON): the corrupt file is ignored.
    const cachePath = join(dir, 'fashion-mnist.bin');
    writeFileSync(cachePath, 'UFDC garbage');
    const first = loadFashionMnist();
    assert.ok(statSync(cachePath).size > 70000 * 784);

    const { train, test } = first;
    assert.equal(train.y.length, 60000);
    assert.equal(test.y.length, 10000);
    assert.equal(train.x.length, 60000 * 784);
    assert.equal(test.x.length, 10000 * 784);
    assert.deepEqual(train.sampleShape, [28, 28, 1]);
    assert.equal(train.numClasses, 10);
    assert.deepEqual(train.classNames, FASHION_MNIST_CLASS_NAMES);
    assert.equal(train.classNames?.[0], 'T-shirt/top');
    assert.equal(train.classNames?.[9], 'Ankle boot');
    // Interleaved classes: sample k has label k % 10.
    assert.deepEqual(Array.from(train.y.subarray(0, 12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const histogram = new Array(10).fill(0);
    for (const label of test.y) histogram[label]++;
    assert.deepEqual(histogram, new Array(10).fill(1000));
    // First pixels of the package's first class-0 sample (0,0,0,0,0,0,0,9,8): grey levels / 255.
    assert.equal(train.x[7], Math.fround(9 / 255));
    assert.equal(train.x[8], Math.fround(8 / 255));
    let max = 0;
    for (let i = 0; i < 784 * 100; i++) max = Math.max(max, train.x[i]);
    assert.equal(max, 1);

    const start = performance.now();
    const second = loadFashionMnist();
    const seconds = (performance.now() - start) / 1000;
    assert.ok(seconds < 2, `cached load took ${seconds.toFixed(2)} s`);
    assert.deepEqual(second.train.y, train.y);
    assert.deepEqual(second.test.y, test.y);
    assert.ok(Buffer.from(second.train.x.buffer).equals(Buffer.from(train.x.buffer)));
    assert.ok(Buffer.from(second.test.x.buffer).equals(Buffer.from(test.x.buffer)));
  });
});
