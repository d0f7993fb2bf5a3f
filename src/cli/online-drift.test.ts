/**
 * Drift detection in `unforget run` on an online stream, end to end: a CSV of six clusters split
 * into three class-IL experiences, delivered in batches of 10. The prequential error jumps where
 * unseen classes arrive; the drifts reach metrics.jsonl, the console and the report; `drift: false`
 * gives none; a run stopped mid-stream and resumed gives the unbroken run's drift events.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import type { DriftEvent, DriftWatchEvent, TrainingEvent } from '../core/events.js';
import { createRng } from '../core/random.js';
import { parseRunConfig } from './config.js';
import { resumeExperiment, runExperiment, RunStopped } from './run-experiment.js';

const root = mkdtempSync(join(tmpdir(), 'unforget-drift-'));

/** `count` rows per class of 6: 4 features around the class's own centre, then the label. */
function clusters(count: number, seed: number): string {
  const rng = createRng(seed);
  const rows = ['f0,f1,f2,f3,label'];
  for (let c = 0; c < 6; c++) {
    for (let i = 0; i < count; i++) {
      const centre = [Math.cos(c), Math.sin(c), c % 2, c % 3].map((v) => 3 * v);
      rows.push([...centre.map((v) => (v + rng.normal() * 0.5).toFixed(4)), `c${c}`].join(','));
    }
  }
  return `${rows.join('\n')}\n`;
}
writeFileSync(join(root, 'train.csv'), clusters(100, 1));
writeFileSync(join(root, 'test.csv'), clusters(20, 2));

const silent = { write: () => true };

function config(drift: unknown, extra: Record<string, unknown> = {}) {
  return parseRunConfig({
    name: 'drift',
    seed: 1,
    out: join(root, 'runs'),
    benchmark: {
      name: 'files',
      dataset: {
        format: 'csv',
        train: join(root, 'train.csv'),
        test: join(root, 'test.csv'),
        label: 'label',
      },
      experiences: 3,
      online: { batchSize: 10, ...(drift === undefined ? {} : { drift }) },
    },
    model: { hiddenSizes: [32] },
    training: { lr: 0.01 },
    strategies: [{ name: 'naive' }],
    tensorboard: false,
    ...extra,
  });
}

const events = (dir: string): TrainingEvent[] =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as TrainingEvent);
const drifts = (dir: string) => events(dir).filter((e): e is DriftEvent => e.type === 'drift');

describe('unforget run: drift on an online stream', () => {
  let unbroken: DriftEvent[] = [];

  it('watches with ADWIN by default: drifts after the boundaries, in metrics.jsonl, the console and the report', async () => {
    const lines: string[] = [];
    const { dir } = await runExperiment(config(undefined), {
      stdout: { write: (s: string) => lines.push(s) },
      stderr: silent,
    });
    const watch = events(dir).find((e): e is DriftWatchEvent => e.type === 'drift-watch');
    assert.deepEqual(watch?.boundaries, [200, 400, 600]);
    assert.equal(watch?.detector, 'adwin');
    unbroken = drifts(dir);
    assert.ok(
      unbroken.some((e) => e.sample >= 200),
      `drifts at ${unbroken.map((e) => e.sample)}`,
    );
    for (const e of unbroken) assert.equal(e.step, Math.floor(e.sample / 10));
    const printed = lines.join('');
    for (const e of unbroken) assert.ok(printed.includes(`drift (adwin) at example ${e.sample},`), printed);
    assert.match(printed, /naive: drift \(adwin\): \d of 2 boundaries detected/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /<table id="drift-naive">/);
    for (const e of unbroken) assert.ok(html.includes(`<tr><td>${e.sample}</td><td>${e.step}</td>`));
    // config.json says which detector ran, its options filled in.
    const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(saved.benchmark.online.drift.options.delta, 0.002);
  });

  it('watches nothing with drift: false, and refuses a bad option naming it', async () => {
    const { dir } = await runExperiment(config(false), { stdout: silent, stderr: silent });
    assert.deepEqual(
      events(dir).filter((e) => e.type.startsWith('drift')),
      [],
    );
    assert.ok(events(dir).some((e) => e.type === 'evaluation' && e.afterExperience === 2));
    assert.throws(
      () => config({ detector: 'adwin', options: { delta: 0 } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.field === 'benchmark.online.drift.options.delta' &&
        e.message === 'benchmark.online.drift.options.delta: expected a number in (0, 1), got 0',
    );
  });

  it("a run stopped mid-stream and resumed reports the unbroken run's drift events", async () => {
    assert.ok(unbroken.length > 0, 'the unbroken run ran first');
    // Stopped after step 30 of 60 (within the second segment), from its checkpoint there.
    let asked = 0;
    const stopped = config(undefined, { checkpoint: { everySteps: 7 } });
    const dir = join(root, 'stopped');
    await assert.rejects(
      runExperiment(stopped, { dir, stdout: silent, stderr: silent, stopRequested: () => ++asked >= 30 }),
      RunStopped,
    );
    const before = drifts(dir);
    await resumeExperiment(dir, { stdout: silent, stderr: silent });
    const after = drifts(dir);
    // The stop falls between drifts: some came before the checkpoint, the rest after the resume.
    assert.ok(
      before.length > 0 && before.length < unbroken.length,
      `${before.length} drifts before the stop`,
    );
    assert.deepEqual(after, unbroken);
  });
});
