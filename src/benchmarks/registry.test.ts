import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import type { Dataset, DatasetSplit } from '../data/dataset.js';
import { createBenchmarkRegistry } from './registry.js';
import { testTaskId } from './stream.js';
import { subsample } from '../data/subsample.js';

// Synthetic stand-ins for MNIST-like data: 10 classes of 4x4x1 images, `marker` in every pixel
// so a test can tell which loader a stream was built from.
function dataset(perClass: number, marker: number): Dataset {
  const n = 10 * perClass;
  return {
    x: new Float32Array(n * 16).fill(marker),
    y: Int32Array.from({ length: n }, (_, i) => i % 10),
    sampleShape: [4, 4, 1],
    numClasses: 10,
  };
}
function counting(marker: number) {
  const loader = () => {
    loader.calls++;
    return { train: dataset(10, marker), test: dataset(2, marker) } satisfies DatasetSplit;
  };
  loader.calls = 0;
  return loader;
}

describe('benchmark registry', () => {
  it('lists the four benchmarks and rejects an unknown name, listing the known ones', () => {
    const r = createBenchmarkRegistry({ mnist: counting(0.25), fashionMnist: counting(0.75) });
    assert.deepEqual(r.names(), [
      'split-mnist',
      'split-fashion-mnist',
      'permuted-mnist',
      'rotated-mnist',
      'files',
    ]);
    assert.equal(r.has('split-mnist'), true);
    assert.equal(r.has('cifar-100'), false);
    assert.throws(
      () => r.get('cifar-100' as 'split-mnist'),
      (e: unknown) => e instanceof ConfigError && e.field === 'benchmark' && /split-mnist/.test(e.message),
    );
    for (const name of r.names()) {
      assert.equal(r.get(name).name, name);
      assert.ok(r.get(name).description.length > 10);
    }
  });

  it('builds split streams from the injected loaders, class-IL by default and task-IL on request', () => {
    const mnist = counting(0.25);
    const fashion = counting(0.75);
    const r = createBenchmarkRegistry({ mnist, fashionMnist: fashion });
    const s = r.get('split-mnist').build({ seed: 1 });
    assert.equal(mnist.calls, 1);
    assert.equal(fashion.calls, 0);
    assert.equal(s.name, 'split-mnist');
    assert.equal(s.scenario, 'class-il');
    assert.equal(s.experiences.length, 5);
    assert.deepEqual(s.experiences[4].classes, [8, 9]);
    assert.equal(testTaskId(s, s.experiences[4]), undefined);
    assert.equal(s.experiences[0].train.x[0], 0.25);

    const f = r.get('split-fashion-mnist').build({ seed: 1, scenario: 'task-il', experiences: 2 });
    assert.equal(fashion.calls, 1);
    assert.equal(f.scenario, 'task-il');
    assert.equal(testTaskId(f, f.experiences[1]), 1);
    assert.deepEqual(f.experiences[1].classes, [5, 6, 7, 8, 9]);
    assert.equal(f.experiences[1].test.x[0], 0.75);
  });

  it('builds permuted and rotated MNIST with their default experience counts', () => {
    const r = createBenchmarkRegistry({ mnist: counting(0.5), fashionMnist: counting(0.5) });
    const p = r.get('permuted-mnist').build({ seed: 2 });
    assert.equal(p.scenario, 'domain-il');
    assert.equal(p.experiences.length, 10);
    // pad: 2 zero-pads each image before permuting (MNIST's 28x28 as 32x32).
    const padded = r.get('permuted-mnist').build({ seed: 2, experiences: 2, pad: 2 });
    assert.equal(padded.experiences.length, 2);
    assert.deepEqual(padded.sampleShape, [8, 8, 1]);
    assert.equal(padded.experiences[0].train.x[0], 0);
    const rot = r.get('rotated-mnist').build({ seed: 2 });
    assert.equal(rot.experiences.length, 5);
    assert.equal(r.get('rotated-mnist').build({ seed: 2, angles: [0, 30, 60] }).experiences.length, 3);
    // Experience 0 is the original; at 36 degrees the corners take in zeros from outside the image.
    assert.ok(rot.experiences[0].train.x.every((v) => v === 0.5));
    assert.ok(rot.experiences[1].train.x[0] < 0.5);
    // A constant square image turned by 90 degrees about its centre stays constant.
    const quarter = r.get('rotated-mnist').build({ seed: 2, angles: [90] });
    assert.ok(quarter.experiences[0].test.x.every((v) => Math.abs(v - 0.5) < 1e-6));
  });

  it('keeps a class-stratified, seed-fixed fraction of the training set and the whole test set', () => {
    const r = createBenchmarkRegistry({ mnist: counting(0.5), fashionMnist: counting(0.5) });
    const s = r.get('split-mnist').build({ seed: 3, trainFraction: 0.3 });
    for (const e of s.experiences) {
      assert.equal(e.train.y.length, 6); // 2 classes x round(0.3 x 10)
      assert.equal(e.test.y.length, 4);
    }
    assert.throws(
      () => r.get('split-mnist').build({ seed: 3, trainFraction: 0 }),
      (e: unknown) => e instanceof ConfigError && e.field === 'trainFraction',
    );
  });
});

describe('subsample (train fraction)', () => {
  const d: Dataset = {
    x: Float32Array.from({ length: 40 }, (_, i) => i),
    y: Int32Array.from({ length: 40 }, (_, i) => (i < 30 ? 0 : 1)),
    sampleShape: [1],
    numClasses: 2,
  };

  it('keeps round(fraction x count) per class, at least one, in order, the same for the same seed', () => {
    const a = subsample(d, 0.2, createRng(4));
    assert.deepEqual(Array.from(a.y), [0, 0, 0, 0, 0, 0, 1, 1]);
    const xs = Array.from(a.x);
    assert.deepEqual(
      xs,
      [...xs].sort((p, q) => p - q),
    );
    assert.ok(xs.slice(0, 6).every((v) => v < 30) && xs.slice(6).every((v) => v >= 30));
    assert.deepEqual(Array.from(subsample(d, 0.2, createRng(4)).x), xs);
    assert.notDeepEqual(Array.from(subsample(d, 0.2, createRng(5)).x), xs);
    assert.deepEqual(Array.from(subsample(d, 0.01, createRng(4)).y), [0, 1]);
    assert.equal(subsample(d, 1, createRng(4)), d);
  });
});
