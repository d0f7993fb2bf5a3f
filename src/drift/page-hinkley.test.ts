import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusedField } from '../core/testing/refused-field.js';
import { PageHinkley } from './page-hinkley.js';
import { bernoulliStream, detections, normalStream } from './testing/streams.js';

describe('PageHinkley', () => {
  it('detects Normal(0,1) -> Normal(3,1) at 1000 within 30 values, as an increase', () => {
    for (const seed of [0, 1]) {
      const ph = new PageHinkley();
      const values = normalStream(seed, [
        [0, 1000],
        [3, 1000],
      ]);
      const first = values.findIndex((x) => {
        ph.update(x);
        return ph.driftDetected;
      });
      assert.ok(first >= 1000 && first < 1030, `seed ${seed}: first drift at ${first}`);
      assert.equal(ph.driftDirection, 'up');
    }
  });

  it("detects a decrease in mode 'both' (the default) and 'down', and not in mode 'up'", () => {
    for (const seed of [0, 1]) {
      const values = normalStream(seed, [
        [0, 1000],
        [-3, 1000],
      ]);
      for (const mode of ['both', 'down'] as const) {
        const ph = new PageHinkley({ mode });
        const first = values.findIndex((x) => {
          ph.update(x);
          return ph.driftDetected;
        });
        assert.ok(first >= 1000 && first < 1030, `seed ${seed}, ${mode}: first drift at ${first}`);
        assert.equal(ph.driftDirection, 'down');
      }
      assert.deepEqual(detections(new PageHinkley({ mode: 'up' }), values).drifts, []);
    }
  });

  it('reports no drift on stationary streams: 0/1 errors at rate 0.2 (seeds 0-2), Normal(0,1) for seed 1', () => {
    for (const seed of [0, 1, 2]) {
      assert.deepEqual(detections(new PageHinkley(), bernoulliStream(seed, [[0.2, 5000]])).drifts, []);
    }
    // Not a property of every seed: with unit variance the sums wander past threshold 50 in
    // a few thousand values for some (seeds 0, 2 and 3 raise a false alarm before 5000).
    assert.deepEqual(detections(new PageHinkley(), normalStream(1, [[0, 5000]])).drifts, []);
  });

  it('restarts after a drift: its counters and mean begin again with the next value', () => {
    const ph = new PageHinkley();
    const values = normalStream(0, [
      [0, 1000],
      [3, 1000],
    ]);
    let i = 0;
    while (!ph.driftDetected) ph.update(values[i++]);
    assert.equal(ph.count, 0);
    assert.equal(ph.statisticUp, 0);
    ph.update(values[i]);
    assert.equal(ph.driftDetected, false);
    assert.equal(ph.driftDirection, undefined);
    assert.equal(ph.count, 1);
    assert.equal(ph.estimation, values[i]);
  });

  it('reports nothing before minInstances values, however large the change', () => {
    const ph = new PageHinkley({ minInstances: 30 });
    const values = [...Array<number>(10).fill(0), ...Array<number>(40).fill(1000)];
    assert.deepEqual(detections(ph, values), { drifts: [29], warnings: [] });
  });

  it('with alpha = 1 its statistic is the classic cumulative sum', () => {
    const ph = new PageHinkley({ alpha: 1, delta: 0.5, threshold: 1e9 });
    const values = [1, 4, 2, 8, 5];
    let mean = 0;
    let sum = 0;
    let min = Infinity;
    values.forEach((x, t) => {
      ph.update(x);
      mean += (x - mean) / (t + 1);
      sum += x - mean - 0.5;
      min = Math.min(min, sum);
      assert.ok(Math.abs(ph.statisticUp - (sum - min)) < 1e-12);
    });
  });

  it('refuses bad values and options', () => {
    assert.throws(() => new PageHinkley().update(Infinity), /PageHinkley\.update: expected a finite number/);
    assert.equal(
      refusedField(() => new PageHinkley({ threshold: 0 })),
      'threshold',
    );
    assert.equal(
      refusedField(() => new PageHinkley({ alpha: 1.5 })),
      'alpha',
    );
    assert.equal(
      refusedField(() => new PageHinkley({ mode: 'sideways' as 'up' })),
      'mode',
    );
  });
});
