/**
 * A real tiny run through the CLI leaves a TensorBoard event file per strategy that an independent
 * reader (CRCs by @node-rs/crc32, Events by @bufbuild/protobuf) parses, holding the numbers of the
 * run's own metrics.jsonl and results.json; `tensorboard: false` in a config writes none.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TrainingEvent } from '../src/core/events.js';
import { readEventFile, scalarsByTag } from '../src/loggers/tensorboard/testing/event-file-reader.js';

const root = mkdtempSync(join(tmpdir(), 'unforget-tensorboard-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

function unforget(args: string[]) {
  return spawnSync(process.execPath, ['bin/unforget.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
}

/** metrics.jsonl's events, one list per strategy (each starts with its run-start). */
function eventsByStrategy(path: string): Map<string, TrainingEvent[]> {
  const runs = new Map<string, TrainingEvent[]>();
  let current: TrainingEvent[] = [];
  for (const line of readFileSync(path, 'utf8').trimEnd().split('\n')) {
    const event = JSON.parse(line) as TrainingEvent;
    if (event.type === 'run-start') runs.set(event.strategy, (current = []));
    current.push(event);
  }
  return runs;
}

describe('TensorBoard files of a CLI run', () => {
  it('has one parseable event file per strategy with the run’s losses and accuracy matrix', () => {
    const out = join(root, 'on');
    const run = unforget([
      'run',
      ...['--benchmark', 'split-mnist', '--strategies', 'naive,ewc', '--seed', '0'],
      ...['--train-fraction', '0.05', '--iterations', '3', '--out', out],
    ]);
    assert.equal(run.status, 0, run.stderr);
    const [folder] = readdirSync(out);
    const dir = join(out, folder);
    assert.deepEqual(readdirSync(join(dir, 'tensorboard')).sort(), ['ewc', 'naive']);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    const jsonl = eventsByStrategy(join(dir, 'metrics.jsonl'));
    for (const strategy of ['naive', 'ewc']) {
      const files = readdirSync(join(dir, 'tensorboard', strategy));
      assert.equal(files.length, 1, strategy);
      assert.match(files[0], /^events\.out\.tfevents\.\d{10}\.unforget$/);
      const events = readEventFile(join(dir, 'tensorboard', strategy, files[0]));
      assert.equal(events[0].fileVersion, 'brain.Event:2');
      const scalars = scalarsByTag(events);

      const losses = jsonl.get(strategy)!.flatMap((e) => (e.type === 'epoch-end' ? [e.loss] : []));
      assert.ok(losses.length >= 5, `${strategy}: an epoch per experience at least`);
      assert.deepEqual(
        scalars.get('train/loss'),
        losses.map((loss, i) => [i + 1, Math.fround(loss)]),
      );

      const matrix: number[][] = results[strategy].matrix;
      const baseline: number[] = results[strategy].baseline;
      assert.equal(matrix.length, 5);
      for (let j = 0; j < 5; j++) {
        assert.deepEqual(
          scalars.get(`eval/accuracy/exp${j}`),
          [baseline[j], ...matrix.map((row) => row[j])].map((a, step) => [step, Math.fround(a)]),
        );
      }
      // The last ACC and forgetting points are the run's summary numbers.
      const acc = scalars.get('eval/ACC')!;
      assert.deepEqual(acc.at(-1), [5, Math.fround(results[strategy].summary.acc)]);
      const forgetting = scalars.get('eval/forgetting')!;
      assert.deepEqual(
        forgetting.map(([step]) => step),
        [2, 3, 4, 5],
      );
      assert.equal(forgetting.at(-1)![1], Math.fround(results[strategy].summary.forgetting));
    }
  });

  it('writes no event files when the config says tensorboard: false', () => {
    const file = join(root, 'off.json');
    const config = {
      seed: 0,
      benchmark: { name: 'permuted-mnist', experiences: 2, trainFraction: 0.01 },
      model: { hiddenSizes: [16] },
      training: { iterations: 2 },
      strategies: [{ name: 'naive' }],
      tensorboard: false,
    };
    writeFileSync(file, JSON.stringify(config));
    const out = join(root, 'off');
    const run = unforget(['run', '--config', file, '--out', out]);
    assert.equal(run.status, 0, run.stderr);
    const [folder] = readdirSync(out);
    assert.ok(existsSync(join(out, folder, 'results.json')));
    assert.equal(existsSync(join(out, folder, 'tensorboard')), false);
  });
});
