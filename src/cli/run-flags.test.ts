import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { parseRunConfig } from './config.js';
import { configData, parseStrategiesFlag } from './run-flags.js';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail('accepted');
};

describe('--strategies', () => {
  it('reads name:key=value entries, values as YAML scalars and flow lists', () => {
    assert.deepEqual(parseStrategiesFlag('er:bufferSize=500,derpp:bufferSize=500:alpha=0.1'), [
      { name: 'er', bufferSize: 500 },
      { name: 'derpp', bufferSize: 500, alpha: 0.1 },
    ]);
    assert.deepEqual(parseStrategiesFlag(' lwf:alpha=[1,0.5]:classReduction=mean , ewc+lwf:lambda=100 '), [
      { name: 'lwf', alpha: [1, 0.5], classReduction: 'mean' },
      { name: 'ewc+lwf', lambda: 100 },
    ]);
    assert.deepEqual(parseStrategiesFlag('icarl:budget=20:herding=false,ewc:fisherSamples=all'), [
      { name: 'icarl', budget: 20, herding: false },
      { name: 'ewc', fisherSamples: 'all' },
    ]);
    // What used to be unreachable from flags: the methods with required options.
    const config = parseRunConfig({
      strategies: parseStrategiesFlag('er:bufferSize=200,gdumb:bufferSize=100:epochs=3'),
    });
    assert.deepEqual(config.strategies, [
      { name: 'er', bufferSize: 200 },
      { name: 'gdumb', bufferSize: 100, epochs: 3 },
    ]);
  });

  it('refuses an empty list, a pair without a value, a key twice, an object value', () => {
    assert.match(
      refusal(() => parseStrategiesFlag('')),
      /^--strategies: expected at least one strategy/,
    );
    assert.match(
      refusal(() => parseStrategiesFlag(' , ')),
      /^--strategies: expected at least one strategy/,
    );
    assert.equal(
      refusal(() => parseStrategiesFlag('er:bufferSize')),
      '--strategies: er: expected key=value after the name, got "bufferSize"',
    );
    assert.equal(
      refusal(() => parseStrategiesFlag('er:bufferSize=')),
      '--strategies: er: expected key=value after the name, got "bufferSize="',
    );
    assert.equal(
      refusal(() => parseStrategiesFlag('er:bufferSize=1:bufferSize=2')),
      '--strategies: er: bufferSize given twice',
    );
    assert.match(
      refusal(() => parseStrategiesFlag('memory-augmented:bufferSize=10:localAdaptation={steps: 2}')),
      /^strategies\[0\] \(memory-augmented\)\.localAdaptation: an option that is an object: set it in a config file/,
    );
    assert.match(
      refusal(() => parseStrategiesFlag('er:minibatchSize={a: 1}')),
      /^strategies\[0\] \(er\)\.minibatchSize: expected a number, true\/false, a word or a \[list\]/,
    );
  });
});

describe('run flags over a config file', () => {
  it('lay over the file; --blurry needs online delivery, from the flag or the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-flags-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      'benchmark:\n  name: split-mnist\n  online:\n    batchSize: 10\ntraining:\n  iterations: 4\n',
    );
    const data = configData({ config: file, blurry: '5', lr: '0.1', strategies: 'naive,er:bufferSize=20' });
    assert.deepEqual(data.benchmark, { name: 'split-mnist', online: { batchSize: 10, blurry: 5 } });
    // The file's own data, not its resolved config: no default epochs to clash with its iterations.
    assert.deepEqual(data.training, { iterations: 4, lr: 0.1 });
    assert.equal(parseRunConfig(data).training.iterations, 4);
    assert.equal(
      refusal(() => configData({ blurry: '5' })),
      '--blurry: mixes examples across boundaries of an online stream: give --online <batch size> too',
    );
  });

  it("--drift picks the detector of an online run, keeps the file's options for the same one, off turns it off", () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-flags-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      'benchmark:\n  name: split-mnist\n  online:\n    batchSize: 10\n    drift: { detector: ddm, options: { driftLevel: 4 } }\nstrategies: [{ name: naive }]\n',
    );
    const drift = (flags: Parameters<typeof configData>[0]) =>
      parseRunConfig(configData({ config: file, ...flags })).benchmark.online?.drift;
    assert.deepEqual(drift({ drift: 'ddm' }), {
      detector: 'ddm',
      options: { minInstances: 30, warningLevel: 2, driftLevel: 4 },
    });
    assert.deepEqual(drift({ drift: 'page-hinkley' }), {
      detector: 'page-hinkley',
      options: { minInstances: 30, delta: 0.005, threshold: 50, alpha: 1 - 0.0001, mode: 'both' },
    });
    assert.equal(drift({ drift: 'off' }), false);
    const flagOnly = parseRunConfig(configData({ online: '5', drift: 'adwin', strategies: 'naive' }));
    assert.deepEqual(flagOnly.benchmark.online?.drift, {
      detector: 'adwin',
      options: { delta: 0.002, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10 },
    });
    assert.equal(
      refusal(() => parseRunConfig(configData({ online: '5', drift: 'kss', strategies: 'naive' }))),
      'benchmark.online.drift.detector: expected one of "adwin", "page-hinkley", "ddm", got "kss"',
    );
    assert.equal(
      refusal(() => configData({ drift: 'adwin' })),
      '--drift: watches the prequential error of an online stream: give --online <batch size> too',
    );
  });
});
