import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataFormatError } from '../../core/errors.js';
import { readRunFiles } from './run-files.js';
import { writeFakeRun } from './testing/run-folder.js';
import { onlineRunEvents } from '../testing/run-events.js';
import { driftSummary } from '../../metrics/drift.js';

const MATRIX = [
  [0.9, 0.1, 0.1],
  [0.5, 0.8, 0.2],
  [0.3, 0.4, 0.7],
];
const fresh = () =>
  writeFakeRun(join(mkdtempSync(join(tmpdir(), 'unforget-runfiles-')), 'run'), {
    seed: 3,
    scenario: 'task-il',
    strategies: [
      { name: 'naive', matrix: MATRIX, baseline: [0.1, 0.2, 0.0], wallSeconds: 9 },
      { name: 'one', matrix: [[0.6]] },
    ],
  });

/** Asserts `fn` throws a DataFormatError whose message names `file` and matches `detail`. */
function refuses(fn: () => unknown, file: string, detail: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataFormatError, String(e));
    assert.equal(e.file, file);
    assert.match(e.message, detail);
    return true;
  });
}

describe('readRunFiles', () => {
  it('reads config, results (NaN from null), scenario from metrics.jsonl, and environment', () => {
    const dir = fresh();
    const run = readRunFiles(dir);
    assert.equal(run.benchmark, 'split-mnist');
    assert.equal(run.seed, 3);
    assert.equal(run.environment?.backend, 'cpu');
    assert.deepEqual(
      run.strategies.map((s) => [s.name, s.scenario]),
      [
        ['naive', 'task-il'],
        ['one', 'task-il'],
      ],
    );
    const [naive, one] = run.strategies;
    assert.deepEqual(naive.matrix, MATRIX);
    assert.deepEqual(naive.baseline, [0.1, 0.2, 0.0]);
    assert.ok(Math.abs(naive.acc - 1.4 / 3) < 1e-12);
    assert.ok(Math.abs(naive.forgetting - 0.5) < 1e-12 && Math.abs(naive.bwt - -0.5) < 1e-12);
    assert.equal(naive.wallSeconds, 9);
    assert.equal(naive.trainSamplesPerSecond, 200);
    assert.ok(Number.isNaN(one.forgetting), 'results.json null reads back as NaN');
    assert.equal(naive.drift, undefined, 'no drift summary for a run that watched none');
  });

  it("reads each strategy's drift events into its drift summary", () => {
    const drift = onlineRunEvents().filter((e) => e.type === 'drift-watch' || e.type === 'drift');
    const dir = writeFakeRun(join(mkdtempSync(join(tmpdir(), 'unforget-runfiles-')), 'run'), {
      strategies: [
        { name: 'naive', matrix: MATRIX },
        { name: 'er', matrix: MATRIX, drift },
      ],
    });
    const [naive, er] = readRunFiles(dir).strategies;
    assert.equal(naive.drift, undefined);
    assert.deepEqual(er.drift, driftSummary(drift));
    assert.deepEqual(
      er.drift?.boundaries.map((b) => b.delay),
      [24, 16],
    );
  });

  it('refuses a missing folder or file, corrupt JSON and a wrong shape, naming the file', () => {
    refuses(
      () => readRunFiles('/nonexistent/run'),
      '/nonexistent/run',
      /not a folder: expected a run folder/,
    );
    let dir = fresh();
    rmSync(join(dir, 'results.json'));
    refuses(() => readRunFiles(dir), join(dir, 'results.json'), /missing/);
    dir = fresh();
    writeFileSync(join(dir, 'config.json'), '{"name": ');
    refuses(() => readRunFiles(dir), join(dir, 'config.json'), /not valid JSON/);
    dir = fresh();
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n');
    lines[4] = '{"type": "epoch-e';
    writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n'));
    refuses(() => readRunFiles(dir), join(dir, 'metrics.jsonl'), /line 5: not valid JSON/);
    dir = fresh();
    lines[4] = '{"type": "drift", "detector": "adwin", "step": 3}';
    writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n'));
    refuses(
      () => readRunFiles(dir),
      join(dir, 'metrics.jsonl'),
      /line 5: expected a drift event \{ detector, sample, step, experience \}/,
    );
    dir = fresh();
    const environment = JSON.parse(readFileSync(join(dir, 'environment.json'), 'utf8'));
    writeFileSync(join(dir, 'environment.json'), JSON.stringify({ ...environment, cpuCount: '2' }));
    refuses(() => readRunFiles(dir), join(dir, 'environment.json'), /cpuCount: expected a number/);
    dir = fresh();
    writeFileSync(
      join(dir, 'results.json'),
      JSON.stringify({ naive: { matrix: [[0.5, 'x']], summary: {} } }),
    );
    refuses(
      () => readRunFiles(dir),
      join(dir, 'results.json'),
      /naive\.matrix\[0\]: expected an array of numbers/,
    );
    writeFileSync(
      join(dir, 'results.json'),
      JSON.stringify({ naive: { matrix: [[0.5]], summary: { acc: '50%' } } }),
    );
    refuses(
      () => readRunFiles(dir),
      join(dir, 'results.json'),
      /naive\.summary\.acc: expected a number, got "50%"/,
    );
  });
});
