import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { loadRunConfig, parseRunConfig, splitStrategyEntry } from './config.js';
import { strategies } from '../strategies/registry.js';

function problem(data: unknown): string {
  try {
    parseRunConfig(data);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message;
  }
  assert.fail('the config was accepted');
}

describe('run config', () => {
  it('fills the defaults: Split-MNIST, MLP 784-400-400-10, Adam 1e-3, batch 128, 1 epoch, three strategies', () => {
    const config = parseRunConfig({});
    assert.equal(config.benchmark.name, 'split-mnist');
    assert.deepEqual(config.model.hiddenSizes, [400, 400]);
    assert.deepEqual(config.training, {
      epochs: 1,
      resetOptimizer: true,
      activeOutputs: 'seen',
      batchSize: 128,
      optimizer: 'adam',
      lr: 1e-3,
      momentum: 0,
    });
    assert.deepEqual(
      config.strategies.map((s) => s.name),
      ['naive', 'cumulative', 'joint'],
    );
  });

  it('reads the reproduction configs in examples/three-scenarios', () => {
    for (const name of [
      'split-mnist-task-il',
      'split-mnist-domain-il',
      'split-mnist-class-il',
      'permuted-mnist-domain-il',
    ]) {
      const config = loadRunConfig(`examples/three-scenarios/${name}.yaml`);
      assert.equal(config.training.resetOptimizer, false);
      assert.ok(config.training.iterations! >= 2000);
      // The six methods of the regularisation study; class-IL also runs iCaRL.
      assert.equal(config.strategies.length, name === 'split-mnist-class-il' ? 7 : 6);
    }
    for (const buffer of [200, 500, 5120]) {
      const config = loadRunConfig(`examples/der-seq-mnist/buffer-${buffer}.yaml`);
      assert.ok(config.strategies.every((s) => s.bufferSize === buffer || s.budget === buffer));
    }
    assert.equal(
      problem({ strategies: [{ name: 'lwf', alpha: [1, 'x'] }] }),
      'strategies[0] (lwf).alpha[1]: expected a number >= 0, got "x"',
    );
    assert.equal(
      problem({ strategies: [{ name: 'lwf', alpha: 'x' }] }),
      'strategies[0] (lwf).alpha: expected a number >= 0 or a non-empty list (each a number >= 0), got "x"',
    );
  });

  it('accepts registered strategies (with their required options) and combinations joined by +, and nothing else', () => {
    const entries = strategies.entries().map((d) => ({ name: d.name, ...d.example }));
    const names = parseRunConfig({ strategies: [...entries, { name: 'ewc+lwf' }] }).strategies.map(
      (s) => s.name,
    );
    assert.deepEqual(names, [...strategies.names(), 'ewc+lwf']);
    assert.equal(
      problem({ strategies: [{ name: 'ewc+lfw' }] }),
      'strategies[0].name: unknown strategy "lfw"; did you mean lwf?',
    );
    assert.equal(
      problem({ strategies: [{ name: 'naiv' }] }),
      'strategies[0].name: unknown strategy "naiv"; did you mean naive?',
    );
  });

  it("checks each method's options against its own schema: unknown ones refused with a did-you-mean, required ones named", () => {
    // Accepted and ignored before: an option the method does not take.
    assert.equal(
      problem({ strategies: [{ name: 'er', bufferSize: 500, lambda: 5000 }] }),
      'strategies[0] (er).lambda: unknown option; ewc, online-ewc, mas, importance-ewc, importance-ewc-uniform take it',
    );
    assert.equal(
      problem({ strategies: [{ name: 'ewc', lamda: 1 }] }),
      'strategies[0] (ewc).lamda: unknown option; did you mean lambda?',
    );
    assert.equal(
      problem({ strategies: [{ name: 'naive' }, { name: 'ewc', learningRate: 0.1 }] }),
      'strategies[1] (ewc).learningRate: unknown option; did you mean lr?',
    );
    assert.equal(
      problem({ strategies: [{ name: 'ewc', gamma: 0.5 }] }),
      'strategies[0] (ewc).gamma: unknown option; online-ewc, gem take it',
    );
    assert.equal(
      problem({ strategies: [{ name: 'naive' }, { name: 'er' }] }),
      'strategies[1] (er).bufferSize: required (a positive integer)',
    );
    // A combined entry: each part takes the keys it declares, and each part's checks name it.
    assert.equal(
      problem({ strategies: [{ name: 'er+lwf', bufferSize: 10, temperature: 0 }] }),
      'strategies[0] (lwf).temperature: expected a positive number, got 0',
    );
    // Every problem is listed, one per line.
    assert.throws(
      () => parseRunConfig({ strategies: [{ name: 'er' }, { name: 'gdumb', bufferSize: 0 }] }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message ===
          'strategies[0] (er).bufferSize: required (a positive integer)\nstrategies[1] (gdumb).bufferSize: expected a positive integer, got 0',
    );
  });

  it("gives the keys a method declares to the method, the other training keys to the strategy's training", () => {
    const config = parseRunConfig({
      strategies: [{ name: 'gdumb', bufferSize: 10, epochs: 3, lr: 0.1, optimizer: 'sgd' }],
    });
    const { options, overrides } = splitStrategyEntry(config.strategies[0]);
    assert.deepEqual(options, { bufferSize: 10, epochs: 3, lr: 0.1 });
    assert.deepEqual(overrides, { optimizer: 'sgd' });
    assert.equal(
      problem({ strategies: [{ name: 'naive', epochs: 0 }] }),
      'strategies[0].epochs: expected a positive integer, got 0',
    );
    assert.equal(
      problem({ strategies: [{ name: 'gdumb', bufferSize: 10, epochs: 0 }] }),
      'strategies[0] (gdumb).epochs: expected a positive integer, got 0',
    );
  });

  it('refuses what a run could not honour: a scenario the benchmark lacks, epochs with iterations, boundary methods online', () => {
    assert.equal(
      problem({ benchmark: { name: 'permuted-mnist', scenario: 'class-il' } }),
      'benchmark.scenario: permuted-mnist runs as domain-il, got "class-il"',
    );
    assert.equal(
      problem({ benchmark: { name: 'rotated-mnist', scenario: 'task-il' } }),
      'benchmark.scenario: rotated-mnist runs as domain-il, got "task-il"',
    );
    assert.equal(
      parseRunConfig({ benchmark: { name: 'permuted-mnist', scenario: 'domain-il' } }).benchmark.scenario,
      'domain-il',
    );
    assert.equal(
      problem({ training: { iterations: 5, epochs: 2 } }),
      'training.iterations: give epochs or iterations, not both (got epochs 2 and iterations 5)',
    );
    const iterations = parseRunConfig({ training: { iterations: 5 } }).training;
    assert.equal(iterations.epochs, undefined);
    // The resolved config reads back as itself (a resume parses config.json again).
    assert.deepEqual(
      parseRunConfig(JSON.parse(JSON.stringify(parseRunConfig({ training: { iterations: 5 } })))).training,
      iterations,
    );
    assert.match(
      problem({
        benchmark: { name: 'split-mnist', online: { batchSize: 10 } },
        strategies: [{ name: 'er', bufferSize: 10 }, { name: 'ewc' }],
      }),
      /^strategies\[1\]: ewc needs experience boundaries, which an online stream does not give \(task-free: naive, er, der, derpp, er-ace, gdumb, memory-augmented\)$/,
    );
  });

  it('refuses a run name that is not one folder name', () => {
    for (const name of ['a/b', '../../x', '..', '.', 'a\\b']) {
      assert.match(
        problem({ name }),
        /^name: expected one folder name \(no \/ or \\, not \. or \.\.\), got /,
        name,
      );
    }
    assert.equal(parseRunConfig({ name: 'my-run_1' }).name, 'my-run_1');
  });

  it('reads replay options and online delivery, naming a bad field', () => {
    const config = parseRunConfig({
      benchmark: { name: 'split-mnist', online: { batchSize: 10 } },
      strategies: [{ name: 'er', bufferSize: 200, minibatchSize: 10 }],
    });
    // Online runs watch drift with ADWIN by default, its options filled in.
    assert.deepEqual(config.benchmark.online, {
      batchSize: 10,
      blurry: 0,
      drift: {
        detector: 'adwin',
        options: { delta: 0.002, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10 },
      },
    });
    assert.equal(config.strategies[0].bufferSize, 200);
    assert.equal(parseRunConfig({ training: { epsilon: 1e-8 } }).training.epsilon, 1e-8);
    assert.equal(
      problem({ training: { epsilon: 0 } }),
      'training.epsilon: expected a positive number, got 0',
    );
    const icarl = parseRunConfig({ strategies: [{ name: 'icarl', budget: 500, activeOutputs: 'seen' }] });
    assert.equal(icarl.strategies[0].activeOutputs, 'seen');
    assert.equal(
      problem({ benchmark: { name: 'split-mnist', online: { batchSize: 0 } } }),
      'benchmark.online.batchSize: expected a positive integer, got 0',
    );
    assert.equal(
      problem({ strategies: [{ name: 'er', bufferSize: 1.5 }] }),
      'strategies[0] (er).bufferSize: expected a positive integer, got 1.5',
    );
  });

  it("reads an online run's drift detector, checking its options against the detector's", () => {
    const online = (drift: unknown) =>
      parseRunConfig({
        benchmark: { name: 'split-mnist', online: { batchSize: 10, drift } },
        strategies: [{ name: 'naive' }],
      }).benchmark.online?.drift;
    assert.equal(online(false), false);
    assert.deepEqual(online({ detector: 'ddm', options: { driftLevel: 4 } }), {
      detector: 'ddm',
      options: { minInstances: 30, warningLevel: 2, driftLevel: 4 },
    });
    assert.deepEqual(online({ options: { delta: 0.01 } }), {
      detector: 'adwin',
      options: { delta: 0.01, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10 },
    });
    const refused = (drift: unknown) =>
      problem({
        benchmark: { name: 'split-mnist', online: { batchSize: 10, drift } },
        strategies: [{ name: 'naive' }],
      });
    assert.equal(
      refused({ options: { delta: 2 } }),
      'benchmark.online.drift.options.delta: expected a number in (0, 1), got 2',
    );
    assert.equal(
      refused({ detector: 'page-hinkley', options: { threshold: -1 } }),
      'benchmark.online.drift.options.threshold: expected a positive number, got -1',
    );
    assert.equal(
      refused({ detector: 'ddm', options: { driftLevel: 1 } }),
      'benchmark.online.drift.options.driftLevel: expected a number above warningLevel',
    );
    assert.equal(
      refused({ options: { dleta: 0.1 } }),
      'benchmark.online.drift.options.dleta: unknown key; did you mean delta?',
    );
    assert.equal(
      refused({ detector: 'mmd' }),
      'benchmark.online.drift.detector: expected one of "adwin", "page-hinkley", "ddm", got "mmd"',
    );
    assert.equal(
      refused({ detecter: 'ddm' }),
      'benchmark.online.drift.detecter: unknown key; did you mean detector?',
    );
    assert.equal(
      refused(true),
      'benchmark.online.drift: expected false or an object { detector, options }, got true',
    );
    // Offline runs have no drift section to fill.
    assert.equal(parseRunConfig({}).benchmark.online, undefined);
  });

  it('reads benchmark.pad and training.dropLast, absent unless given', () => {
    const config = parseRunConfig({
      benchmark: { name: 'permuted-mnist', pad: 2 },
      training: { dropLast: true },
    });
    assert.equal(config.benchmark.pad, 2);
    assert.equal(config.training.dropLast, true);
    const plain = parseRunConfig({ benchmark: { name: 'permuted-mnist' } });
    assert.equal(plain.benchmark.pad, undefined);
    assert.equal(plain.training.dropLast, undefined);
    assert.equal(
      problem({ benchmark: { name: 'permuted-mnist', pad: -1 } }),
      'benchmark.pad: expected an integer >= 0, got -1',
    );
    assert.equal(
      problem({ benchmark: { name: 'split-mnist', pad: 2 } }),
      'benchmark.pad: split-mnist does not take pad (permuted-mnist does)',
    );
    assert.equal(
      problem({ training: { dropLast: 'yes' } }),
      'training.dropLast: expected true or false, got "yes"',
    );
  });

  it('names the field, what was expected and what was given', () => {
    assert.equal(
      problem({ strategies: [{ name: 'naive' }, { name: 'joint', lr: 'abc' }] }),
      'strategies[1].lr: expected a positive number, got "abc"',
    );
    assert.equal(
      problem({ strategies: [{ name: 'naive', lr: -1 }] }),
      'strategies[0].lr: expected a positive number, got -1',
    );
    assert.equal(
      problem({ training: { epochs: 1.5 } }),
      'training.epochs: expected a positive integer, got 1.5',
    );
    assert.equal(
      problem({ benchmark: { name: 'cifar' } }),
      'benchmark.name: unknown benchmark "cifar" (known: split-mnist, split-fashion-mnist, permuted-mnist, rotated-mnist, files)',
    );
    assert.equal(
      problem({ benchmark: { name: 'split-mnst' } }),
      'benchmark.name: unknown benchmark "split-mnst"; did you mean split-mnist?',
    );
    assert.equal(
      problem({ model: { type: 'transformer' } }),
      'model.type: unknown model "transformer" (known: mlp, multi-head-mlp, cnn, resnet18-reduced, resnet18, layers)',
    );
    assert.equal(
      problem({ benchmark: { name: 'split-mnist', trainFraction: 2 } }),
      'benchmark.trainFraction: expected a number in (0, 1], got 2',
    );
  });

  it('refuses unknown keys, naming each, with a did-you-mean where one is close', () => {
    assert.equal(
      problem({ model: { hidden: [3] } }),
      'model.hidden: unknown key (known: hiddenSizes, activation, init)',
    );
    assert.equal(
      problem({ model: { hiddenSize: [3] } }),
      'model.hiddenSize: unknown key; did you mean hiddenSizes?',
    );
    assert.equal(problem({ strategy: [] }), 'strategy: unknown key; did you mean strategies?');
    assert.equal(problem({ trainig: {} }), 'trainig: unknown key; did you mean training?');
  });

  it("fills the model's defaults from its registry entry", () => {
    assert.deepEqual(parseRunConfig({ model: { type: 'multi-head-mlp', hiddenSizes: [10] } }).model, {
      type: 'multi-head-mlp',
      hiddenSizes: [10],
      activation: 'relu',
      init: 'glorot',
    });
  });

  it('reads YAML and JSON files, and reports unreadable ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-config-'));
    writeFileSync(
      join(dir, 'a.yaml'),
      'name: quick\nbenchmark:\n  name: split-mnist\n  trainFraction: 0.1\nstrategies:\n  - name: naive\n    epochs: 2\n',
    );
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ seed: 3, strategies: [{ name: 'joint' }] }));
    writeFileSync(join(dir, 'c.yaml'), 'name: [unclosed\n');
    const a = loadRunConfig(join(dir, 'a.yaml'));
    assert.equal(a.benchmark.trainFraction, 0.1);
    assert.equal(a.strategies[0].epochs, 2);
    assert.equal(loadRunConfig(join(dir, 'b.json')).seed, 3);
    assert.throws(() => loadRunConfig(join(dir, 'c.yaml')), /config: .*c\.yaml is not valid YAML or JSON/);
    assert.throws(() => loadRunConfig(join(dir, 'missing.yaml')), /config: cannot read/);
  });
});
