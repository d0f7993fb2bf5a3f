import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusedField } from '../core/testing/refused-field.js';
import { KsDetector, kolmogorovQ, ksPValue, ksStatistic } from './ks.js';
import { detections, normalStream, vectorStream } from './testing/streams.js';

const zeros = [0, 0, 0, 0, 0];

describe('kolmogorovQ, ksStatistic, ksPValue', () => {
  it('gives the Kolmogorov survival function (values of scipy.stats.kstwobign.sf)', () => {
    const scipy: [number, number][] = [
      [0.3, 0.9999906941986655],
      [0.5, 0.9639452436648751],
      [0.8, 0.5441424115741981],
      [1.0, 0.26999967167735456],
      [1.17, 0.12939004218561884],
      [1.18, 0.1234538094297657],
      [1.36, 0.049485876755377876],
      [2.0, 0.0006709252557796953],
      [3.0, 3.045995948942526e-8],
    ];
    for (const [lambda, q] of scipy) {
      assert.ok(Math.abs(kolmogorovQ(lambda) - q) < 1e-10 * Math.max(1, q * 1e3), `Q(${lambda})`);
    }
    assert.equal(kolmogorovQ(0), 1);
    assert.equal(kolmogorovQ(-1), 1);
  });

  it('computes D = sup |F_a - F_b| of sorted samples, ties included', () => {
    assert.equal(ksStatistic([1, 2, 3], [4, 5, 6]), 1);
    assert.equal(ksStatistic([1, 2, 3], [1, 2, 3]), 0);
    assert.equal(ksStatistic([1, 1, 2], [1, 2, 2]), 1 / 3);
    assert.equal(ksStatistic([1, 2, 3, 4], [2.5]), 0.5);
  });

  it('turns D into the asymptotic p-value at the effective size n·m/(n+m), near the exact one', () => {
    assert.equal(ksPValue(0.2, 100, 100), kolmogorovQ(Math.sqrt(50) * 0.2));
    assert.equal(ksPValue(0.2, 100, 300), kolmogorovQ(Math.sqrt(75) * 0.2));
    // scipy.stats.ks_2samp(a, b, method='exact') for samples of 100 (a = 0..99, b = a + shift).
    const exact: [number, number][] = [
      [0.11, 0.5830090612540064],
      [0.16, 0.1548386665118475],
      [0.21, 0.024055802841094577],
      [0.26, 0.002219935934558366],
      [0.31, 0.00012016164291946694],
    ];
    for (const [d, p] of exact) {
      const q = ksPValue(d, 100, 100);
      assert.ok(q >= p * 0.99 && q < p * 1.12, `D = ${d}: ${q} vs exact ${p}`);
    }
  });
});

describe('KsDetector', () => {
  it('detects a mean shift of 1 in one of 5 features at 1000 within 150 values, naming the feature', () => {
    for (const seed of [1, 2, 3]) {
      const ks = new KsDetector();
      const values = vectorStream(seed, [
        [zeros, 1000],
        [[0, 0, 1, 0, 0], 1000],
      ]);
      const first = values.findIndex((x) => {
        ks.update(x);
        return ks.driftDetected;
      });
      assert.ok(first >= 1000 && first < 1150, `seed ${seed}: first drift at ${first}`);
      assert.equal(ks.feature, 2);
      assert.ok(ks.pValue < ks.options.alpha / 5);
    }
  });

  it('detects a shift of a scalar stream, and none on stationary 5-feature streams (seeds 1, 2)', () => {
    const { drifts } = detections(
      new KsDetector(),
      normalStream(1, [
        [0, 1000],
        [1, 1000],
      ]),
    );
    assert.ok(drifts[0] >= 1000 && drifts[0] < 1150, `first drift at ${drifts[0]}`);
    for (const seed of [1, 2]) {
      const ks = new KsDetector();
      assert.deepEqual(detections(ks, vectorStream(seed, [[zeros, 3000]])).drifts, []);
      assert.ok(ks.pValue > ks.options.alpha / 5 && ks.pValue <= 1);
    }
  });

  it('tests only with both windows full, and makes the recent window the reference at a drift', () => {
    const ks = new KsDetector({ windowSize: 100 });
    const values = normalStream(1, [
      [0, 1000],
      [1, 1000],
    ]);
    for (let i = 0; i < 199; i++) ks.update(values[i]);
    assert.equal(ks.feature, -1); // no test yet: the recent window holds 99 values
    ks.update(values[199]);
    const sorted = (xs: number[]) => Float64Array.from(xs).sort();
    assert.equal(ks.statistic, ksStatistic(sorted(values.slice(0, 100)), sorted(values.slice(100, 200))));
    let at = 199;
    while (!ks.driftDetected) ks.update(values[++at]);
    const reference = sorted(values.slice(at - 99, at + 1));
    // The next test comes when 100 new values have filled the recent window again.
    const before = ks.statistic;
    for (let i = 1; i < 100; i++) {
      ks.update(values[at + i]);
      assert.equal(ks.driftDetected, false);
      assert.equal(ks.statistic, before);
    }
    ks.update(values[at + 100]);
    assert.equal(ks.statistic, ksStatistic(reference, sorted(values.slice(at + 1, at + 101))));
  });

  it('reset() forgets the windows and the number of features; bad inputs and options are refused', () => {
    const ks = new KsDetector({ windowSize: 10 });
    ks.update([1, 2]);
    assert.equal(ks.features, 2);
    assert.throws(() => ks.update([1, 2, 3]), /KsDetector\.update: expected 2 features .*got 3/);
    assert.throws(() => ks.update([1, Number.NaN]), /got NaN at feature 1/);
    ks.reset();
    assert.equal(ks.features, undefined);
    ks.update(5);
    assert.equal(ks.features, 1);
    assert.equal(
      refusedField(() => new KsDetector({ alpha: 0 })),
      'alpha',
    );
    assert.equal(
      refusedField(() => new KsDetector({ windowSize: 5 })),
      'windowSize',
    );
  });
});
