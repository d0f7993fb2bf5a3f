import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusedField } from '../core/testing/refused-field.js';
import { Adwin } from './adwin.js';
import { bernoulliStream, detections, normalStream } from './testing/streams.js';

describe('Adwin', () => {
  it('detects Bernoulli(0.2) -> Bernoulli(0.8) at 1000 within 100 values, and no drift before', () => {
    // Over seeds 0-99 the first drift came at most 55 values after the change (median 23).
    for (const seed of [1, 2, 3]) {
      const { drifts } = detections(
        new Adwin(),
        bernoulliStream(seed, [
          [0.2, 1000],
          [0.8, 1000],
        ]),
      );
      assert.ok(drifts.length > 0, `seed ${seed}: no drift`);
      assert.ok(drifts[0] >= 1000 && drifts[0] < 1100, `seed ${seed}: first drift at ${drifts[0]}`);
    }
  });

  it('drops the older part of the window at a drift (its width shrinks, its mean moves to the new one)', () => {
    const adwin = new Adwin();
    const values = bernoulliStream(1, [
      [0.2, 1000],
      [0.8, 1000],
    ]);
    let before = 0;
    let at = -1;
    for (let i = 0; i < values.length && at < 0; i++) {
      before = adwin.width;
      adwin.update(values[i]);
      if (adwin.driftDetected) at = i;
    }
    assert.equal(before, at); // nothing was dropped before: the window held all `at` values
    assert.ok(adwin.width < 200, `width ${adwin.width} after the drift at ${at}`);
    assert.ok(adwin.width >= 5);
    // By the end of the stream the window holds little more than the 1000 values after the change
    // (1008 for this seed: the later cuts at 1055 and 1151 left a few older values in).
    for (const x of values.slice(at + 1)) adwin.update(x);
    assert.ok(Math.abs(adwin.estimation - 0.8) < 0.05, `estimation ${adwin.estimation}`);
    assert.equal(adwin.width, 1008);
  });

  it('reports no drift on stationary streams of 5000 values (seeds 1, 2, 3), keeping them whole', () => {
    for (const seed of [1, 2, 3]) {
      const bernoulli = new Adwin();
      assert.deepEqual(detections(bernoulli, bernoulliStream(seed, [[0.2, 5000]])).drifts, []);
      assert.equal(bernoulli.width, 5000);
      const normal = new Adwin();
      assert.deepEqual(detections(normal, normalStream(seed, [[0, 5000]])).drifts, []);
      assert.equal(normal.width, 5000);
    }
  });

  it("keeps the window's exact width, mean and variance in its exponential histogram", () => {
    const adwin = new Adwin({ maxBuckets: 3 });
    const values = normalStream(4, [[2, 3000, 0.5]]);
    let sum = 0;
    for (const x of values) {
      adwin.update(x);
      sum += x;
    }
    const mean = sum / values.length;
    const variance = values.reduce((s, x) => s + (x - mean) ** 2, 0) / values.length;
    assert.equal(adwin.width, 3000);
    assert.ok(Math.abs(adwin.estimation - mean) < 1e-12);
    assert.ok(Math.abs(adwin.variance - variance) < 1e-9, `${adwin.variance} vs ${variance}`);
    // At most maxBuckets buckets of each size 1, 2, 4, ...: O(M log n) buckets.
    assert.ok(adwin.bucketCount <= 3 * Math.ceil(Math.log2(3000)), `${adwin.bucketCount} buckets`);
  });

  it('looks for a cut only every `clock` updates', () => {
    const { drifts } = detections(
      new Adwin({ clock: 50 }),
      bernoulliStream(1, [
        [0.1, 500],
        [0.9, 500],
      ]),
    );
    assert.ok(drifts.length > 0);
    for (const i of drifts) assert.equal((i + 1) % 50, 0, `drift at update ${i + 1}`);
  });

  it('says a drift only right after the update that found it, and never a warning', () => {
    const adwin = new Adwin();
    const values = bernoulliStream(1, [
      [0.2, 1000],
      [0.8, 1000],
    ]);
    const seen = values.map((x) => {
      adwin.update(x);
      assert.equal(adwin.warningDetected, false);
      return adwin.driftDetected;
    });
    const first = seen.indexOf(true);
    assert.ok(first > 0);
    assert.equal(seen[first + 1], false);
  });

  it('reset() empties the window; bad values and options are refused', () => {
    const adwin = new Adwin();
    for (const x of [1, 2, 3]) adwin.update(x);
    adwin.reset();
    assert.equal(adwin.width, 0);
    assert.equal(adwin.estimation, 0);
    assert.throws(() => adwin.update(Number.NaN), /Adwin\.update: expected a finite number, got NaN/);
    assert.equal(
      refusedField(() => new Adwin({ delta: 2 })),
      'delta',
    );
    assert.equal(
      refusedField(() => new Adwin({ clock: 0 })),
      'clock',
    );
    assert.equal(
      refusedField(() => new Adwin({ maxBuckets: 1.5 })),
      'maxBuckets',
    );
  });
});
