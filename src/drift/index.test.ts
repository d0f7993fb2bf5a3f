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
  restoreDriftDetector,
  type DriftDetector,
  type DriftDetectorState,
  type DriftInput,
} from './index.js';
import { bernoulliStream, normalStream, vectorStream } from './testing/streams.js';

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

/** Feeds `values` to `detector`, returning the indices (offset by `from`) of its drifts and warnings. */
function flags<Input>(detector: DriftDetector<Input>, values: readonly Input[], from = 0) {
  const drifts: number[] = [];
  const warnings: number[] = [];
  values.forEach((v, i) => {
    detector.update(v);
    if (detector.driftDetected) drifts.push(from + i);
    if (detector.warningDetected) warnings.push(from + i);
  });
  return { drifts, warnings };
}

const json = (state: DriftDetectorState) => JSON.parse(JSON.stringify(state)) as DriftDetectorState;

describe('state and restoreDriftDetector', () => {
  // Each stream changes twice, at 400 and 800 (DDM's error rate rises both times); the state is
  // taken at 600, between the changes.
  const off: readonly number[] = [0, 0];
  const on: readonly number[] = [2, 2];
  const cases: { detector: () => DriftDetector<DriftInput>; values: readonly DriftInput[] }[] = [
    {
      detector: () => createDriftDetector('adwin') as DriftDetector<DriftInput>,
      values: bernoulliStream(1, [
        [0.2, 400],
        [0.8, 400],
        [0.2, 400],
      ]),
    },
    {
      detector: () => createDriftDetector('page-hinkley', { threshold: 20 }) as DriftDetector<DriftInput>,
      values: normalStream(2, [
        [0, 400],
        [3, 400],
        [0, 400],
      ]),
    },
    {
      detector: () => createDriftDetector('ddm') as DriftDetector<DriftInput>,
      values: bernoulliStream(3, [
        [0.05, 400],
        [0.3, 400],
        [0.7, 400],
      ]),
    },
    {
      detector: () => createDriftDetector('ks', { windowSize: 50 }),
      values: vectorStream(4, [
        [off, 400],
        [on, 400],
        [off, 400],
      ]),
    },
    {
      detector: () => createDriftDetector('mmd', { windowSize: 20, permutations: 200, alpha: 0.01, seed: 3 }),
      values: vectorStream(5, [
        [off, 400],
        [on, 400],
        [off, 400],
      ]),
    },
  ];

  for (const { detector, values } of cases) {
    const name = detector().name;
    it(`${name}: a state restored into a fresh detector goes on exactly as the saved one`, () => {
      const half = values.length / 2;
      const original = detector();
      const before = flags(original, values.slice(0, half));
      const saved = original.state();
      // Plain JSON data: it survives a JSON round trip unchanged (no typed arrays, no infinities).
      assert.deepStrictEqual(json(saved), saved);
      const restored = restoreDriftDetector(json(saved)) as DriftDetector<DriftInput>;
      assert.equal(restored.name, name);
      assert.deepStrictEqual(json(restored.state()), json(saved));
      const rest = values.slice(half);
      const continued = flags(original, rest, half);
      const resumed = flags(restored, rest, half);
      // The change at 400 was seen before the state was taken, the one at 800 after it.
      assert.ok(
        before.drifts.some((i) => i >= 400),
        `${name}: drifts before the state ${before.drifts}`,
      );
      assert.ok(
        continued.drifts.some((i) => i >= 800),
        `${name}: drifts after it ${continued.drifts}`,
      );
      assert.deepEqual(resumed, continued);
      if (name === 'ddm') assert.ok(continued.warnings.length > 0, 'ddm warned after the state');
      assert.deepStrictEqual(json(restored.state()), json(original.state()));
    });
  }

  it('refuses a state of another detector, of other options, or malformed, naming the detector and the field', () => {
    const adwin = createDriftDetector('adwin');
    bernoulliStream(1, [[0.3, 300]]).forEach((v) => adwin.update(v));
    const state = adwin.state();
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        assert.ok(error instanceof Error);
        return error.message;
      }
      assert.fail('expected a refusal');
    };
    assert.equal(
      refusal(() => createDriftDetector('ddm').restore(state)),
      'Ddm.restore: name: expected a state of "ddm", got "adwin"',
    );
    assert.match(
      refusal(() => createDriftDetector('adwin', { delta: 0.01 }).restore(state)),
      /^Adwin\.restore: options\.delta: the state's is 0\.002, this detector's 0\.01/,
    );
    assert.equal(
      refusal(() => createDriftDetector('adwin').restore({ ...state, n: (state.n as number) + 1 })),
      `Adwin.restore: n: expected ${state.n as number}, the values the buckets hold, got ${(state.n as number) + 1}`,
    );
    assert.equal(
      refusal(() => createDriftDetector('adwin').restore({ ...state, ticks: -1 })),
      'Adwin.restore: ticks: expected an integer >= 0, got -1',
    );
    const ks = createDriftDetector('ks', { windowSize: 10 });
    for (let i = 0; i < 15; i++) ks.update([i, -i]);
    const ksState = ks.state();
    const reference = ksState.reference as number[][];
    assert.equal(
      refusal(() => restoreDriftDetector({ ...ksState, reference: [reference[0], reference[1].slice(1)] })),
      'KsDetector.restore: reference[1]: expected a list of 10 numbers, got a list of 9',
    );
    const mmd = createDriftDetector('mmd', { windowSize: 5 });
    const { rng: _rng, ...noRng } = mmd.state();
    assert.equal(
      refusal(() => restoreDriftDetector(noRng as DriftDetectorState)),
      'MmdDetector.restore: rng: missing',
    );
    const ph = createDriftDetector('page-hinkley').state();
    assert.match(
      refusal(() => restoreDriftDetector({ ...ph, direction: 'sideways' })),
      /^PageHinkley\.restore: direction: expected one of "up", "down", null, got "sideways"$/,
    );
    assert.equal(
      refusal(() => restoreDriftDetector({ ...createDriftDetector('ddm').state(), errors: 3 })),
      'Ddm.restore: errors: expected an integer in [0, 0], got 3',
    );
    assert.equal(
      refusal(() => restoreDriftDetector({ ...state, name: 'adwn' } as never)),
      'restoreDriftDetector: name: expected a drift detector (adwin, page-hinkley, ddm, ks, mmd), got "adwn"',
    );
    assert.equal(
      refusal(() => restoreDriftDetector({ ...state, options: { ...state.options, delta: 2 } })),
      'restoreDriftDetector (adwin): options.delta: expected a number in (0, 1), got 2',
    );
    assert.equal(
      refusal(() => restoreDriftDetector(null as never)),
      'restoreDriftDetector: expected a detector state { name, options, ... }, got null',
    );
    // A refused state changes nothing.
    const target = createDriftDetector('adwin');
    bernoulliStream(2, [[0.5, 100]]).forEach((v) => target.update(v));
    const kept = json(target.state());
    assert.throws(
      () => target.restore({ ...state, drift: 'yes' }),
      /^Error: Adwin\.restore: drift: expected true or false, got "yes"$/,
    );
    assert.deepStrictEqual(json(target.state()), kept);
  });
});
