import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TrainingEvent } from '../../core/events.js';
import { BASELINE, MATRIX, runEvents } from '../testing/run-events.js';
import { readEventFile, scalarsByTag } from './testing/event-file-reader.js';
import { tensorboardLogger } from './tensorboard-logger.js';

const root = mkdtempSync(join(tmpdir(), 'unforget-tensorboard-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A clock that starts at 1700000000 s and moves 0.5 s per reading. */
function steppingClock(): () => number {
  let ms = 1_700_000_000_000;
  return () => (ms += 500);
}

/** runEvents() with a method-metrics event before the evaluation after experience 1. */
function eventsWithMethodMetrics(): TrainingEvent[] {
  const events = runEvents();
  const at = events.findIndex((e) => e.type === 'evaluation' && e.afterExperience === 1);
  events.splice(at, 0, {
    type: 'method-metrics',
    plugin: 'task-importance',
    afterExperience: 1,
    values: { 'importance/task0': 0.25, 'importance/task1': 0.75 },
  });
  // A progress event draws nothing: TensorBoard gets the epoch's loss from epoch-end.
  events.splice(3, 0, {
    type: 'progress',
    experience: 0,
    epoch: 0,
    samples: 5,
    epochSamples: 10,
    loss: 9,
    seconds: 0.1,
  });
  return events;
}

const f = Math.fround;

describe('tensorboardLogger', () => {
  it('writes a strategy run as one event file whose scalars, steps and wall times read back', async () => {
    const dir = join(root, 'run');
    const logger = tensorboardLogger({ dir, now: steppingClock() });
    for (const event of eventsWithMethodMetrics()) logger.onEvent(event);
    await logger.close!();

    assert.deepEqual(readdirSync(join(dir, 'tensorboard')), ['naive']);
    const files = readdirSync(join(dir, 'tensorboard', 'naive'));
    // The first clock reading (1700000000.5 s) names the file.
    assert.deepEqual(files, ['events.out.tfevents.1700000000.unforget']);
    const events = readEventFile(join(dir, 'tensorboard', 'naive', files[0]));

    assert.deepEqual(events[0], { wallTime: 1700000001, step: 0, fileVersion: 'brain.Event:2' });
    assert.ok(events.slice(1).every((e) => e.fileVersion === undefined && e.values !== undefined));
    // One record per epoch (6), evaluation (4) and method-metrics event (1), after the version.
    assert.equal(events.length, 1 + 6 + 4 + 1);
    events.forEach((e, i) => assert.equal(e.wallTime, 1700000000.5 + 0.5 * (i + 1), `wall time ${i}`));

    const scalars = scalarsByTag(events);
    assert.deepEqual([...scalars.keys()].sort(), [
      'eval/ACC',
      'eval/accuracy/exp0',
      'eval/accuracy/exp1',
      'eval/accuracy/exp2',
      'eval/forgetting',
      'method/task-importance/importance/task0',
      'method/task-importance/importance/task1',
      'train/loss',
    ]);
    // Loss per epoch at the running epoch count; runEvents' epochs lose 0.5 then 0.4.
    assert.deepEqual(scalars.get('train/loss'), [
      [1, f(0.5)],
      [2, f(0.4)],
      [3, f(0.5)],
      [4, f(0.4)],
      [5, f(0.5)],
      [6, f(0.4)],
    ]);
    // Accuracy per experience at step = experiences trained: the baseline at 0, R[i][j] at i + 1.
    for (let j = 0; j < 3; j++) {
      assert.deepEqual(scalars.get(`eval/accuracy/exp${j}`), [
        [0, f(BASELINE[j])],
        [1, f(MATRIX[0][j])],
        [2, f(MATRIX[1][j])],
        [3, f(MATRIX[2][j])],
      ]);
    }
    // ACC over the experiences trained so far: 0.9; (0.5 + 0.8) / 2; (0.3 + 0.4 + 0.7) / 3.
    assert.deepEqual(scalars.get('eval/ACC'), [
      [1, f(0.9)],
      [2, f(0.65)],
      [3, f((0.3 + 0.4 + 0.7) / 3)],
    ]);
    // Forgetting so far: after exp 1, 0.9 - 0.5; after exp 2, ((0.9 - 0.3) + (0.8 - 0.4)) / 2 = 0.5,
    // the run's final average forgetting (runEvents: 50.0%).
    assert.deepEqual(scalars.get('eval/forgetting'), [
      [2, f(0.4)],
      [3, f(0.5)],
    ]);
    assert.deepEqual(scalars.get('method/task-importance/importance/task1'), [[2, f(0.75)]]);
  });

  it('opens a file per strategy on each run-start, so that TensorBoard shows them as runs', async () => {
    const dir = join(root, 'two');
    const logger = tensorboardLogger({ dir, now: steppingClock() });
    const second = runEvents().map((e) =>
      e.type === 'run-start' ? { ...e, strategy: 'ewc+lwf' } : e.type === 'epoch-end' ? { ...e, loss: 2 } : e,
    );
    for (const event of [...runEvents(), ...second]) logger.onEvent(event);
    await logger.close!();
    assert.deepEqual(readdirSync(join(dir, 'tensorboard')).sort(), ['ewc+lwf', 'naive']);
    for (const [strategy, loss] of [
      ['naive', 0.5],
      ['ewc+lwf', 2],
    ] as const) {
      const [file] = readdirSync(join(dir, 'tensorboard', strategy));
      const scalars = scalarsByTag(readEventFile(join(dir, 'tensorboard', strategy, file)));
      // The epoch count restarts with each strategy: both runs span steps 1..6.
      assert.deepEqual(
        scalars.get('train/loss')?.map(([step]) => step),
        [1, 2, 3, 4, 5, 6],
      );
      assert.equal(scalars.get('train/loss')?.[0][1], f(loss));
    }
  });

  it('has every event on disk as soon as it is logged, before close (a crash loses at most one)', async () => {
    const dir = join(root, 'live');
    const logger = tensorboardLogger({ dir, now: steppingClock() });
    const events = runEvents();
    const firstEvaluation = events.findIndex((e) => e.type === 'evaluation' && e.afterExperience === 0);
    for (const event of events.slice(0, firstEvaluation + 1)) logger.onEvent(event);
    const [file] = readdirSync(join(dir, 'tensorboard', 'naive'));
    const live = readEventFile(join(dir, 'tensorboard', 'naive', file));
    // version, baseline evaluation, 2 epochs, the evaluation after experience 0.
    assert.deepEqual(
      live.map((e) => e.step),
      [0, 0, 1, 2, 1],
    );
    assert.deepEqual(scalarsByTag(live).get('eval/ACC'), [[1, f(0.9)]]);
    await logger.close!();
  });

  it('continues the steps of a resumed run from the events recorded before its checkpoint', async () => {
    const dir = join(root, 'resumed');
    const events = runEvents();
    const cut = events.findIndex((e) => e.type === 'evaluation' && e.afterExperience === 0) + 1;
    // Another strategy's events in the history must not count towards naive's steps.
    const other = runEvents().map((e) => (e.type === 'run-start' ? { ...e, strategy: 'ewc' } : e));
    const history = [...events.slice(0, cut), ...other];
    const first = tensorboardLogger({ dir, now: () => 1_700_000_000_000 });
    for (const event of history) first.onEvent(event);
    await first.close!();
    const resumed = tensorboardLogger({ dir, now: () => 1_700_000_100_000, history });
    for (const event of [events[0], ...events.slice(cut)]) resumed.onEvent(event);
    await resumed.close!();

    const folder = join(dir, 'tensorboard', 'naive');
    const files = readdirSync(folder).sort();
    assert.deepEqual(files, [
      'events.out.tfevents.1700000000.unforget',
      'events.out.tfevents.1700000100.unforget',
    ]);
    const earlier = scalarsByTag(readEventFile(join(folder, files[0])));
    const later = scalarsByTag(readEventFile(join(folder, files[1])));
    assert.deepEqual(
      earlier.get('train/loss')?.map(([step]) => step),
      [1, 2],
    );
    assert.deepEqual(
      later.get('train/loss')?.map(([step]) => step),
      [3, 4, 5, 6],
    );
    // Forgetting after experience 1 needs row 0 of R, which only the history holds.
    assert.deepEqual(later.get('eval/forgetting'), [
      [2, f(0.4)],
      [3, f(0.5)],
    ]);
  });

  it('never overwrites: a strategy run twice in the same second gets a second file', async () => {
    const dir = join(root, 'again');
    for (let n = 0; n < 2; n++) {
      const logger = tensorboardLogger({ dir, now: () => 1_700_000_000_000 });
      for (const event of runEvents()) logger.onEvent(event);
      await logger.close!();
    }
    assert.deepEqual(readdirSync(join(dir, 'tensorboard', 'naive')).sort(), [
      'events.out.tfevents.1700000000.unforget',
      'events.out.tfevents.1700000000.unforget.1',
    ]);
  });

  it('keeps training going when the folder cannot be written, and reports it at close', async () => {
    const blocked = join(root, 'blocked');
    writeFileSync(blocked, 'a file where the run folder should be');
    const logger = tensorboardLogger({ dir: blocked });
    for (const event of runEvents()) logger.onEvent(event);
    await assert.rejects(logger.close!(), /ENOTDIR|EEXIST/);
  });
});
