import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusedField } from '../core/testing/refused-field.js';
import { Ddm } from './ddm.js';
import { bernoulliStream, detections } from './testing/streams.js';

describe('Ddm', () => {
  it('detects an error rate 0.1 -> 0.5 at 1000 within 200 values, with a warning first', () => {
    // Seeds 0-2 have no false alarm before the change (seed 3 does, three times: DDM's p_min
    // can be set low early on by chance).
    for (const seed of [0, 1, 2]) {
      const { drifts, warnings } = detections(
        new Ddm(),
        bernoulliStream(seed, [
          [0.1, 1000],
          [0.5, 1000],
        ]),
      );
      assert.ok(drifts.length > 0, `seed ${seed}: no drift`);
      const first = drifts[0];
      assert.ok(first >= 1000 && first < 1200, `seed ${seed}: first drift at ${first}`);
      assert.ok(
        warnings.some((i) => i >= 1000 && i < first),
        `seed ${seed}: no warning between the change and the drift at ${first}`,
      );
    }
  });

  it('reports no drift on a stationary error rate of 0.1 over 3000 values (seeds 0, 1, 2)', () => {
    for (const seed of [0, 1, 2]) {
      assert.deepEqual(detections(new Ddm(), bernoulliStream(seed, [[0.1, 3000]])).drifts, []);
    }
  });

  it('restarts its counters at a drift', () => {
    const ddm = new Ddm();
    const values = bernoulliStream(0, [
      [0.1, 1000],
      [0.5, 1000],
    ]);
    let i = 0;
    while (!ddm.driftDetected) ddm.update(values[i++]);
    assert.equal(ddm.warningDetected, false);
    assert.equal(ddm.count, 0);
    assert.equal(ddm.errorRate, 0);
    assert.equal(ddm.minErrorRate, Infinity);
    assert.equal(ddm.minStd, Infinity);
    ddm.update(1);
    assert.equal(ddm.driftDetected, false);
    assert.equal(ddm.count, 1);
    assert.equal(ddm.errorRate, 1);
  });

  it('warns at p + s >= p_min + 2 s_min and detects at p_min + 3 s_min, only from minInstances on', () => {
    const ddm = new Ddm();
    const values = [...Array<number>(30).fill(0), 1, 1, 1];
    const seen = values.map((x) => {
      ddm.update(x);
      return ddm.driftDetected ? 'drift' : ddm.warningDetected ? 'warning' : '';
    });
    // p = 0 until value 31 records no minimum (s = 0); then p_min = 1/31, s_min = sqrt(p(1-p)/31);
    // at 32 values p + s = 0.0625 + 0.0428 lies between p_min + 2 s_min (0.0957) and + 3 s_min (0.127).
    assert.deepEqual(seen, [...Array<string>(31).fill(''), 'warning', 'drift']);
    assert.equal(ddm.count, 0);
  });

  it('refuses a value that is not 0 or 1, naming it', () => {
    const ddm = new Ddm();
    assert.throws(() => ddm.update(0.5), /Ddm\.update: expected an error indicator, 0 or 1 .*got 0\.5/);
    assert.throws(() => ddm.update(2), /got 2$/);
    assert.throws(() => ddm.update(Number.NaN), /got NaN$/);
    assert.equal(ddm.count, 0);
  });

  it('refuses bad options, naming the field', () => {
    assert.equal(
      refusedField(() => new Ddm({ minInstances: 0 })),
      'minInstances',
    );
    assert.equal(
      refusedField(() => new Ddm({ warningLevel: 3, driftLevel: 2 })),
      'driftLevel',
    );
    assert.equal(
      refusedField(() => new Ddm({ warningLevel: -1 })),
      'warningLevel',
    );
  });
});
