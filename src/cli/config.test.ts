import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { loadRunConfig, parseRunConfig } from './config.js';
import { strategyRegistry } from '../strategies/registry.js';

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
      'strategies[0].alpha[1]: expected a number, got "x"',
    );
    assert.equal(
      problem({ strategies: [{ name: 'lwf', alpha: 'x' }] }),
      'strategies[0].alpha: expected a number or a list, got "x"',
    );
  });

  it('accepts registered strategies and combinations joined by +, and nothing else', () => {
    const names = parseRunConfig({
      strategies: Object.keys(strategyRegistry)
        .map((name) => ({ name }))
        .concat([{ name: 'ewc+lwf' }]),
    }).strategies.map((s) => s.name);
    assert.deepEqual(names, [...Object.keys(strategyRegistry), 'ewc+lwf']);
    assert.match(
      problem({ strategies: [{ name: 'ewc+lfw' }] }),
      /^strategies\[0\]\.name: expected one of naive, .*, lwf, .*, icarl, .* \(or several joined by \+\), got "ewc\+lfw"$/,
    );
  });

  it('reads replay options and online delivery, naming a bad field', () => {
    const config = parseRunConfig({
      benchmark: { name: 'split-mnist', online: { batchSize: 10 } },
      strategies: [{ name: 'er', bufferSize: 200, minibatchSize: 10 }],
    });
    assert.deepEqual(config.benchmark.online, { batchSize: 10, blurry: 0 });
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
      'benchmark.online.batchSize: expected a positive number, got 0',
    );
    assert.equal(
      problem({ strategies: [{ name: 'er', bufferSize: 1.5 }] }),
      'strategies[0].bufferSize: expected an integer, got 1.5',
    );
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
      'benchmark.pad: expected a number >= 0, got -1',
    );
    assert.equal(
      problem({ training: { dropLast: 'yes' } }),
      'training.dropLast: expected boolean, got "yes"',
    );
  });

  it('names the field, what was expected and what was given', () => {
    assert.equal(
      problem({ strategies: [{ name: 'naive' }, { name: 'joint', lr: 'abc' }] }),
      'strategies[1].lr: expected a number, got "abc"',
    );
    assert.equal(
      problem({ strategies: [{ name: 'naive', lr: -1 }] }),
      'strategies[0].lr: expected a positive number, got -1',
    );
    assert.equal(problem({ training: { epochs: 1.5 } }), 'training.epochs: expected an integer, got 1.5');
    assert.equal(
      problem({ benchmark: { name: 'cifar' } }),
      'benchmark.name: expected one of "split-mnist", "split-fashion-mnist", "permuted-mnist", "rotated-mnist", got "cifar"',
    );
    assert.equal(
      problem({ benchmark: { name: 'split-mnist', trainFraction: 2 } }),
      'benchmark.trainFraction: expected a number <= 1, got 2',
    );
  });

  it('refuses unknown keys, naming each', () => {
    assert.equal(problem({ model: { hidden: [3] } }), 'model.hidden: unknown key');
    assert.equal(problem({ strategy: [] }), 'strategy: unknown key');
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
