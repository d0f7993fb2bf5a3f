import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compareRuns, differsFromBest, duplicateSeedWarnings, seedStat } from './compare.js';
import { formatComparisonTable, formatSeedStat } from './compare-table.js';
import { readRunFiles } from './run-files.js';
import { writeFakeRun } from './testing/run-folder.js';

/** T = 2; ACC = acc, forgetting = 0.9 - acc, BWT = acc - 0.9. */
const strategy = (name: string, acc: number) => ({
  name,
  matrix: [
    [0.9, 0.1],
    [acc, acc],
  ],
});

describe('compareRuns', () => {
  it('seedStat: mean and sample std (n - 1), hand-computed', () => {
    const s = seedStat([0.5, 0.6, 0.55]);
    assert.ok(Math.abs(s.mean - 0.55) < 1e-12);
    // deviations -0.05, 0.05, 0: sum of squares 0.005 / (3 - 1) = 0.0025 -> std 0.05
    assert.ok(Math.abs(s.std - 0.05) < 1e-12);
    assert.ok(Number.isNaN(seedStat([0.7]).std), 'one run has no spread');
    assert.equal(formatSeedStat(s), '55.0 ± 5.0');
    assert.equal(formatSeedStat(seedStat([0.7])), '70.0');
  });

  it('differsFromBest: |mean_a - mean_b| > std_a + std_b, never with a single run', () => {
    const best = seedStat([0.8, 0.82, 0.84]); // 0.82 ± 0.02
    assert.equal(differsFromBest(seedStat([0.5, 0.6, 0.55]), best), true); // 0.27 > 0.07
    assert.equal(differsFromBest(seedStat([0.79, 0.83, 0.81]), best), false); // 0.01 < 0.04
    assert.equal(differsFromBest(seedStat([0.1]), best), false);
  });

  it('pools only runs that differ in their seed: other settings are kept apart and labelled; repeated seeds warned', () => {
    const root = mkdtempSync(join(tmpdir(), 'unforget-compare-'));
    const run = (name: string, seed: number, lr: number, acc: number, withNaive = false) =>
      readRunFiles(
        writeFakeRun(join(root, name), {
          seed,
          config: { training: { lr } },
          strategies: [
            ...(withNaive ? [strategy('naive', 0.2)] : []),
            { ...strategy('er', acc), options: { bufferSize: 200 } },
          ],
        }),
      );
    const groups = compareRuns([
      run('a0', 0, 0.01, 0.6, true),
      run('a1', 1, 0.01, 0.7),
      run('b0', 0, 0.1, 0.3),
      run('b1', 1, 0.1, 0.4),
    ]);
    assert.equal(groups.length, 1);
    const rows = groups[0].strategies.map((s) => [s.strategy, s.seeds, Math.round(s.stats.acc.mean * 100)]);
    // a0 ran Naive too: the other strategies of a run do not keep its ER apart from a1's.
    assert.deepEqual(rows, [
      ['naive', [0], 20],
      ['er (training.lr=0.01)', [0, 1], 65],
      ['er (training.lr=0.1)', [0, 1], 35],
    ]);
    assert.deepEqual(duplicateSeedWarnings(groups), []);
    // The same seed twice in one pool is said, not silently counted as two seeds.
    const twice = compareRuns([run('c0', 0, 0.01, 0.6), run('c1', 0, 0.01, 0.62)]);
    assert.deepEqual(
      twice[0].strategies.map((s) => s.strategy),
      ['er'],
    );
    assert.deepEqual(duplicateSeedWarnings(twice), [
      'er on split-mnist (class-il): seed 0 ran more than once; its mean ± std counts those runs as separate seeds',
    ]);
    // A method option tells runs apart too.
    const buffers = compareRuns([
      readRunFiles(
        writeFakeRun(join(root, 'd0'), {
          strategies: [{ ...strategy('er', 0.5), options: { bufferSize: 200 } }],
        }),
      ),
      readRunFiles(
        writeFakeRun(join(root, 'd1'), {
          strategies: [{ ...strategy('er', 0.6), options: { bufferSize: 500 } }],
        }),
      ),
    ]);
    assert.deepEqual(
      buffers[0].strategies.map((s) => s.strategy),
      ['er (bufferSize=200)', 'er (bufferSize=500)'],
    );
  });

  it('groups by benchmark, scenario and strategy over seeds and marks what lies beyond the seed spread', () => {
    const root = mkdtempSync(join(tmpdir(), 'unforget-compare-'));
    const acc = { good: [0.8, 0.82, 0.84], bad: [0.5, 0.6, 0.55], close: [0.79, 0.83, 0.81] };
    const runs = [0, 1, 2].map((seed) =>
      readRunFiles(
        writeFakeRun(join(root, `s${seed}`), {
          seed,
          strategies: [
            strategy('good', acc.good[seed]),
            strategy('bad', acc.bad[seed]),
            strategy('close', acc.close[seed]),
          ],
        }),
      ),
    );
    runs.push(
      readRunFiles(
        writeFakeRun(join(root, 'task'), {
          seed: 0,
          scenario: 'task-il',
          strategies: [strategy('good', 0.99)],
        }),
      ),
    );
    const groups = compareRuns(runs);
    assert.deepEqual(
      groups.map((g) => [g.benchmark, g.scenario, g.strategies.map((s) => s.strategy)]),
      [
        ['split-mnist', 'class-il', ['good', 'bad', 'close']],
        ['split-mnist', 'task-il', ['good']],
      ],
    );
    const [good, bad, close] = groups[0].strategies;
    assert.deepEqual(good.seeds, [0, 1, 2]);
    assert.ok(Math.abs(good.stats.acc.mean - 0.82) < 1e-9 && Math.abs(good.stats.acc.std - 0.02) < 1e-9);
    assert.ok(
      Math.abs(bad.stats.forgetting.mean - 0.35) < 1e-9 && Math.abs(bad.stats.forgetting.std - 0.05) < 1e-9,
    );
    assert.ok(Math.abs(close.stats.bwt.mean - -0.09) < 1e-9);
    assert.deepEqual(good.best, { acc: true, forgetting: true, bwt: true });
    assert.deepEqual(bad.differs, { acc: true, forgetting: true, bwt: true });
    assert.deepEqual(close.differs, { acc: false, forgetting: false, bwt: false });
    assert.deepEqual(groups[1].strategies[0].differs, { acc: false, forgetting: false, bwt: false });

    const table = formatComparisonTable(groups).split('\n');
    const row = (name: string, scenario = 'class-il') =>
      table.find((l) => new RegExp(`^split-mnist\\s+${scenario}\\s+${name}\\s`).test(l)) ?? '';
    assert.match(row('good'), /\s3\s+82\.0 ± 2\.0\s+8\.0 ± 2\.0\s+-8\.0 ± 2\.0$/);
    assert.match(row('bad'), /55\.0 ± 5\.0 \*\s+35\.0 ± 5\.0 \*\s+-35\.0 ± 5\.0 \*$/);
    assert.doesNotMatch(row('close'), /\*/);
    assert.match(row('good', 'task-il'), /\s1\s+99\.0\s+-9\.0\s+9\.0$/);
  });
});
