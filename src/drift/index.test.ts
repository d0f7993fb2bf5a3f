import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { refusedField } from '../core/testing/refused-field.js';
import {
  Adwin,
  createDriftDetector,
  Ddm,
  driftDetectors,
  KsDetector,
  MmdDetector,
  PageHinkley,
  type DriftDetector,
  type DriftInput,
} from './index.js';

describe('createDriftDetector', () => {
  it('builds each detector by name, with the defaults filled in', () => {
    assert.deepEqual(driftDetectors.names(), ['adwin', 'page-hinkley', 'ddm', 'ks', 'mmd']);
    const adwin = createDriftDetector('adwin');
    assert.ok(adwin instanceof Adwin);
    assert.deepEqual(adwin.options, {
      delta: 0.002,
      clock: 32,
      maxBuckets: 5,
      minWindowLength: 5,
      gracePeriod: 10,
    });
    const ph = createDriftDetector('page-hinkley', { threshold: 20 });
    assert.ok(ph instanceof PageHinkley);
    assert.deepEqual(ph.options, {
      minInstances: 30,
      delta: 0.005,
      threshold: 20,
      alpha: 1 - 0.0001,
      mode: 'both',
    });
    const ddm = createDriftDetector('ddm');
    assert.ok(ddm instanceof Ddm);
    assert.deepEqual(ddm.options, { minInstances: 30, warningLevel: 2, driftLevel: 3 });
    const ks = createDriftDetector('ks', { windowSize: 50 });
    assert.ok(ks instanceof KsDetector);
    assert.deepEqual(ks.options, { windowSize: 50, alpha: 0.001 });
    const mmd = createDriftDetector('mmd');
    assert.ok(mmd instanceof MmdDetector);
    assert.deepEqual(mmd.options, {
      windowSize: 50,
      alpha: 0.002,
      permutations: 1000,
      checkEvery: 10,
      seed: 0,
    });
  });

  it('gives every detector one shape: update, then driftDetected / warningDetected, and reset', () => {
    const detectors: DriftDetector<DriftInput>[] = [
      createDriftDetector('ks', { windowSize: 10 }),
      createDriftDetector('mmd', { windowSize: 10 }),
    ];
    const scalar: DriftDetector<number>[] = [
      createDriftDetector('adwin'),
      createDriftDetector('page-hinkley'),
      createDriftDetector('ddm'),
      ...detectors,
    ];
    for (const d of scalar) {
      assert.equal(d.driftDetected, false);
      assert.equal(d.warningDetected, false);
      for (let i = 0; i < 40; i++) d.update(i % 2);
      d.reset();
      assert.equal(d.driftDetected, false);
      assert.equal(d.warningDetected, false);
      assert.ok(driftDetectors.has(d.name));
    }
    for (const d of detectors) d.update([1, 2, 3]);
  });

  it('refuses bad options with a ConfigError naming the field', () => {
    assert.equal(
      refusedField(() => createDriftDetector('adwin', { delta: 2 })),
      'delta',
    );
    assert.throws(
      () => createDriftDetector('adwin', { delta: 2 }),
      (error: unknown) =>
        error instanceof ConfigError && error.message === 'delta: expected a number in (0, 1), got 2',
    );
    assert.throws(
      () => createDriftDetector('adwin', { dleta: 0.1 } as never),
      /^ConfigError: dleta: unknown key; did you mean delta\?/,
    );
    assert.equal(
      refusedField(() => createDriftDetector('page-hinkley', { mode: 'sideways' as never })),
      'mode',
    );
    assert.equal(
      refusedField(() => createDriftDetector('ddm', { driftLevel: 1 })),
      'driftLevel',
    );
    assert.equal(
      refusedField(() => createDriftDetector('ks', { windowSize: 99.5 })),
      'windowSize',
    );
    assert.equal(
      refusedField(() => createDriftDetector('mmd', { permutations: 0 })),
      'permutations',
    );
    assert.equal(
      refusedField(() => createDriftDetector('mmd', 'fast' as never)),
      'options',
    );
    assert.throws(
      () => createDriftDetector('adwn' as never),
      /^ConfigError: name: unknown drift detector "adwn"; did you mean adwin\?/,
    );
  });
});
