/**
 * Checkpoint and resume from the command line, as a user meets them: a run killed with SIGKILL at
 * a random point, or stopped with Ctrl-C (SIGINT), and resumed with `unforget run --resume` gives
 * the accuracies of a run that was never stopped; a truncated newest checkpoint is refused and an
 * older one used; a checkpoint of another config is refused.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

const args = [
  '--benchmark',
  'split-mnist',
  '--strategies',
  'naive,cumulative',
  '--epochs',
  '2',
  '--seed',
  '3',
  '--train-fraction',
  '0.04',
  '--checkpoint-every',
  '4',
];
const env = { ...process.env, CI: 'true' };

function unforget(argv: string[]) {
  return spawnSync(process.execPath, ['bin/unforget.mjs', ...argv], { encoding: 'utf8', env });
}

const runFolder = (out: string) => join(out, readdirSync(out)[0]);
const checkpointsIn = (dir: string) =>
  existsSync(join(dir, 'checkpoints'))
    ? readdirSync(join(dir, 'checkpoints')).filter((f) => f.endsWith('.ckpt'))
    : [];
const matrices = (dir: string) => {
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record<
    string,
    { matrix: number[][] }
  >;
  return Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.matrix]));
};

/** Starts a run and stops it with `signal` once it has saved a checkpoint and trained a little more. */
async function startAndStop(out: string, signal: NodeJS.Signals, extraMs: number) {
  const child = spawn(process.execPath, ['bin/unforget.mjs', 'run', ...args, '--out', out], { env });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  while (!(existsSync(out) && readdirSync(out).length && checkpointsIn(runFolder(out)).length)) {
    assert.ok(Date.now() < deadline, 'the run saved a checkpoint within two minutes');
    await sleep(20);
  }
  await sleep(extraMs);
  child.kill(signal);
  const code = await exited;
  return { code, stderr, dir: runFolder(out) };
}

describe('unforget run --resume', () => {
  const root = mkdtempSync(join(tmpdir(), 'unforget-resume-'));
  const whole = unforget(['run', ...args, '--out', join(root, 'whole')]);
  assert.equal(whole.status, 0, whole.stderr);
  const expected = matrices(runFolder(join(root, 'whole')));

  it('a run killed with SIGKILL at a random point resumes to the same accuracies', async () => {
    const stopped = await startAndStop(join(root, 'killed'), 'SIGKILL', Math.floor(Math.random() * 1500));
    assert.equal(
      existsSync(join(stopped.dir, 'results.json')),
      false,
      'the run was killed before it finished',
    );
    const resumed = unforget(['run', '--resume', stopped.dir]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, /resuming from .*checkpoint-\d+\.ckpt/);
    assert.deepEqual(matrices(stopped.dir), expected);
    // The resumed strategy's summary names it and has its baseline (forward transfer).
    assert.match(resumed.stdout, /^accuracy matrix \(%\), cumulative:$/m);
    assert.doesNotMatch(resumed.stdout, /accuracy matrix \(%\), :|FWT n\/a/);
    assert.match(
      resumed.stdout,
      /^cumulative: ACC [\d.]+% {2}forgetting [\d.-]+% {2}BWT [\d.-]+% {2}FWT [\d.-]+%/m,
    );
    const lines = readFileSync(join(stopped.dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    const wholeLines = readFileSync(join(runFolder(join(root, 'whole')), 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).type),
      wholeLines.map((l) => JSON.parse(l).type),
      'metrics.jsonl holds each event once, as if never stopped',
    );
  });

  it('a run killed before its first checkpoint starts again from the beginning, with its config', () => {
    const dir = join(root, 'early', 'run');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(runFolder(join(root, 'whole')), 'config.json'), join(dir, 'config.json'));
    // What the killed run had written of its first experience is superseded.
    writeFileSync(join(dir, 'metrics.jsonl'), '{"type":"run-start","strategy":"naive"}\n');
    const resumed = unforget(['run', '--resume', dir]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, /has no checkpoint yet; starting the run again from the beginning/);
    assert.deepEqual(matrices(dir), expected);
    const types = (file: string) =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type);
    assert.deepEqual(
      types(join(dir, 'metrics.jsonl')),
      types(join(runFolder(join(root, 'whole')), 'metrics.jsonl')),
    );
  });

  it('Ctrl-C (SIGINT) saves a checkpoint, exits with 130 and says how to resume', async () => {
    const stopped = await startAndStop(join(root, 'interrupted'), 'SIGINT', 200);
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(
      stopped.stderr,
      new RegExp(`unforget run --resume ${stopped.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    const resumed = unforget(['run', '--resume', stopped.dir]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.deepEqual(matrices(stopped.dir), expected);
    const again = unforget(['run', '--resume', stopped.dir]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /finished already/);
  });

  it('refuses a truncated newest checkpoint and resumes from the one before', async () => {
    const stopped = await startAndStop(join(root, 'truncated'), 'SIGKILL', 600);
    const files = checkpointsIn(stopped.dir).sort();
    assert.ok(files.length >= 2, `two checkpoints to fall back on, got ${files.length}`);
    const newest = join(stopped.dir, 'checkpoints', files.at(-1)!);
    truncateSync(newest, Math.floor(readFileSync(newest).length / 2));
    const resumed = unforget(['run', '--resume', stopped.dir]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`refusing checkpoint .*${files.at(-1)}: checksum mismatch`));
    assert.match(resumed.stdout, new RegExp(`resuming from .*${files.at(-2)}`));
    assert.deepEqual(matrices(stopped.dir), expected);
  });

  it('refuses checkpoints of another config, naming why, and leaves them usable', async () => {
    const stopped = await startAndStop(join(root, 'mismatch'), 'SIGKILL', 0);
    const configFile = join(stopped.dir, 'config.json');
    const original = readFileSync(configFile, 'utf8');
    writeFileSync(configFile, original.replace('"seed": 3', '"seed": 4'));
    const refused = unforget(['run', '--resume', stopped.dir]);
    assert.equal(refused.status, 2);
    assert.match(refused.stdout, /refusing checkpoint .*saved by a run with another config/);
    assert.match(refused.stderr, /resume: no usable checkpoint/);
    writeFileSync(configFile, original);
    const resumed = unforget(['run', '--resume', stopped.dir]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.deepEqual(matrices(stopped.dir), expected);
  });

  it('refuses --resume with other flags, and a folder that is not a run', () => {
    const withFlags = unforget(['run', '--resume', root, '--seed', '1']);
    assert.equal(withFlags.status, 2);
    assert.match(withFlags.stderr, /resume: a resumed run keeps its own config; drop --seed/);
    const notRun = unforget(['run', '--resume', root]);
    assert.equal(notRun.status, 2);
    assert.match(notRun.stderr, /is not a run folder: it has no config.json/);
  });
});
