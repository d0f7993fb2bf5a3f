/**
 * The command line end to end, as a user runs it: a quick real Split-MNIST run writes its
 * run folder; the same seed gives identical accuracies; bad input exits with code 2 and
 * writes nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

function unforget(args: string[]) {
  return spawnSync(process.execPath, ['bin/unforget.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
}

const quickRun = [
  '--benchmark',
  'split-mnist',
  '--strategies',
  'naive,joint',
  '--epochs',
  '1',
  '--seed',
  '0',
  '--train-fraction',
  '0.05',
];

describe('unforget CLI', () => {
  it('runs Split-MNIST and writes config.json, metrics.jsonl and results.json; the same seed gives the same accuracies', () => {
    const out = mkdtempSync(join(tmpdir(), 'unforget-cli-'));
    const results = [1, 2].map((i) => {
      const dir = join(out, `r${i}`);
      const run = unforget(['run', ...quickRun, '--out', dir]);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /on the native backend/);
      assert.match(run.stdout, /strategy\s+ACC %/);
      const [folder] = readdirSync(dir);
      const files = readdirSync(join(dir, folder)).sort();
      assert.deepEqual(files, [
        'charts',
        'checkpoints',
        'config.json',
        'environment.json',
        'matrix-joint.csv',
        'matrix-naive.csv',
        'metrics.jsonl',
        'models',
        'report.html',
        'results.json',
        'tensorboard',
      ]);
      const config = JSON.parse(readFileSync(join(dir, folder, 'config.json'), 'utf8'));
      assert.equal(config.backend, 'native');
      assert.equal(config.benchmark.trainFraction, 0.05);
      const lines = readFileSync(join(dir, folder, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n');
      assert.ok(lines.every((l) => typeof JSON.parse(l).type === 'string'));
      return JSON.parse(readFileSync(join(dir, folder, 'results.json'), 'utf8'));
    });
    assert.deepEqual(results[0].naive.matrix, results[1].naive.matrix, 'same seed, same accuracies');
    assert.deepEqual(results[0].joint.summary.acc, results[1].joint.summary.acc);
    assert.ok(results[0].joint.summary.acc > results[0].naive.summary.acc + 0.3, 'Joint beats Naive');
  });

  it('runs a combined method with --scenario and --iterations, recorded in config.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-cli-'));
    // --iterations replaces --epochs (the two together are refused, below).
    const run = unforget([
      'run',
      ...quickRun.filter((flag, i) => flag !== '--epochs' && quickRun[i - 1] !== '--epochs'),
      '--strategies',
      'ewc+lwf',
      '--scenario',
      'domain-il',
      '--iterations',
      '5',
      '--out',
      dir,
    ]);
    assert.equal(run.status, 0, run.stderr);
    const [folder] = readdirSync(dir);
    const config = JSON.parse(readFileSync(join(dir, folder, 'config.json'), 'utf8'));
    assert.equal(config.benchmark.scenario, 'domain-il');
    assert.equal(config.training.iterations, 5);
    const results = JSON.parse(readFileSync(join(dir, folder, 'results.json'), 'utf8'));
    assert.equal(results['ewc+lwf'].matrix.length, 5);
  });

  it('runs Permuted-MNIST with benchmark.pad and training.dropLast, and refuses pad elsewhere', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-cli-'));
    const file = join(dir, 'permuted.json');
    const config = {
      seed: 0,
      benchmark: { name: 'permuted-mnist', experiences: 2, trainFraction: 0.01, pad: 2 },
      model: { hiddenSizes: [16], init: 'fan-in-uniform' },
      training: { iterations: 3, dropLast: true },
      strategies: [{ name: 'naive' }],
    };
    writeFileSync(file, JSON.stringify(config));
    const run = unforget(['run', '--config', file, '--out', join(dir, 'runs')]);
    assert.equal(run.status, 0, run.stderr);
    const [folder] = readdirSync(join(dir, 'runs'));
    const written = JSON.parse(readFileSync(join(dir, 'runs', folder, 'config.json'), 'utf8'));
    assert.equal(written.benchmark.pad, 2);
    assert.equal(written.training.dropLast, true);
    const results = JSON.parse(readFileSync(join(dir, 'runs', folder, 'results.json'), 'utf8'));
    assert.equal(results.naive.matrix.length, 2);
    writeFileSync(file, JSON.stringify({ ...config, benchmark: { name: 'split-mnist', pad: 2 } }));
    const refused = unforget(['run', '--config', file, '--out', join(dir, 'refused')]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /benchmark\.pad: split-mnist does not take pad \(permuted-mnist does\)/);
    assert.equal(existsSync(join(dir, 'refused')), false);
  });

  it('refuses bad flags with exit code 2, naming the field, and writes nothing', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'unforget-cli-')), 'runs');
    const run = unforget(['run', ...quickRun, '--lr', 'abc', '--out', out]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /training\.lr: expected a positive number, got "abc"/);
    assert.equal(existsSync(out), false);
    const strategy = unforget(['run', '--strategies', 'naive,ewc2', '--out', out]);
    assert.equal(strategy.status, 2);
    assert.equal(
      strategy.stderr,
      'unforget: strategies[1].name: unknown strategy "ewc2"; did you mean ewc?\n',
    );
  });

  it('lists benchmarks, models and strategies, and prints help', () => {
    const list = unforget(['list']);
    assert.equal(list.status, 0);
    for (const name of [
      'split-mnist',
      'permuted-mnist',
      'rotated-mnist',
      'split-fashion-mnist',
      'mlp',
      'naive',
      'joint',
    ]) {
      assert.ok(list.stdout.includes(name), name);
    }
    const help = unforget(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: unforget/);
    // Each flag's help shows the default it falls back to, read from the config schema.
    const runHelp = unforget(['run', '--help']);
    assert.equal(runHelp.status, 0);
    for (const expected of [
      /--epochs <n>\s+epochs per experience \(default 1\)/,
      /--batch-size <n>\s+mini-batch size \(default 128\)/,
      /--lr <x>\s+learning rate \(default 0\.001\)/,
      /--optimizer <name>\s+sgd or adam \(default adam\)/,
      /default naive,cumulative,joint/,
      /--out <dir>\s+folder for run folders \(default runs\)/,
    ]) {
      assert.match(runHelp.stdout, expected);
    }
    const version = unforget(['--version']);
    assert.equal(version.status, 0);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('lists each strategy with its options, their defaults and which are required', () => {
    const list = unforget(['list', 'strategies']);
    assert.equal(list.status, 0, list.stderr);
    const lines = list.stdout.split('\n');
    const at = (name: string) => lines.findIndex((l) => l.startsWith(`  ${name} `));
    assert.match(lines[at('er')], /Experience Replay .* \[online too\]$/);
    assert.match(
      lines[at('er') + 1],
      /^\s+bufferSize\s+a positive integer \(required\): examples the buffer keeps/,
    );
    assert.match(
      lines[at('er') + 2],
      /^\s+minibatchSize\s+a positive integer \(optional\): replayed examples per step/,
    );
    assert.match(
      lines[at('ewc') + 1],
      /^\s+lambda\s+a number >= 0 \(default 5000\): strength: the penalty is lambda\/2 .*double a value carried over/,
    );
    const adaptation = lines.find((l) => l.trim().startsWith('localAdaptation'));
    assert.match(adaptation ?? '', /an object \{ steps, lr, lambda \} \(optional, config file\)/);
    const refused = unforget(['list', 'strategy']);
    assert.equal(refused.status, 2);
    assert.match(
      refused.stderr,
      /^unforget: list: expected one of benchmarks, models, strategies, got "strategy"/,
    );
  });

  it('runs methods configured by flags, records their entries, and warns of an experience smaller than a batch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-cli-'));
    const run = unforget([
      'run',
      '--benchmark',
      'split-mnist',
      '--train-fraction',
      '1e-9',
      '--batch-size',
      '4',
      '--strategies',
      'naive,er:bufferSize=6:minibatchSize=2,gdumb:bufferSize=6:epochs=2',
      '--out',
      dir,
    ]);
    assert.equal(run.status, 0, run.stderr);
    // 1e-9 of the data keeps one example per class: 2 an experience, fewer than a batch of 4.
    for (let e = 0; e < 5; e++) {
      assert.match(
        run.stderr,
        new RegExp(
          `unforget: warning: experience ${e} has 2 training examples, fewer than one batch of 4 \\(benchmark.trainFraction 1e-9\\)`,
        ),
      );
    }
    const [folder] = readdirSync(dir);
    const config = JSON.parse(readFileSync(join(dir, folder, 'config.json'), 'utf8'));
    assert.deepEqual(config.strategies, [
      { name: 'naive' },
      { name: 'er', bufferSize: 6, minibatchSize: 2 },
      { name: 'gdumb', bufferSize: 6, epochs: 2 },
    ]);
    const results = JSON.parse(readFileSync(join(dir, folder, 'results.json'), 'utf8'));
    assert.deepEqual(Object.keys(results), ['naive', 'er', 'gdumb']);
  });
});
