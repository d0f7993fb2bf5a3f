/**
 * Every refusal of the command line, tried as a new user would: each exits with code 2, names the
 * field or the path, prints no stack trace, and leaves the files already there as they were
 * (listing and bytes compared before and after). Before, each of these crashed with a stack trace
 * or ran something other than what was asked.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { writeFakeRun } from '../src/loggers/report/testing/run-folder.js';

const bin = join(process.cwd(), 'bin/unforget.mjs');
// As root permissions do not bite: the permission cases then run the command as `nobody`, where
// that user can read this checkout (else they are skipped, saying why).
const NOBODY = 65534;
const asUser = process.getuid?.() === 0 ? NOBODY : undefined;
const canRunAs = (uid: number | undefined) =>
  uid === undefined ||
  spawnSync(process.execPath, [bin, '--version'], { uid, gid: uid, env: { ...process.env, HOME: tmpdir() } })
    .status === 0;

function unforget(args: string[], cwd: string, uid?: number) {
  return spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd,
    env: { ...process.env, CI: 'true', HOME: cwd },
    ...(uid !== undefined ? { uid, gid: uid } : {}),
  });
}

/** Every file under `dir` with its bytes, and every folder: what must not change. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      const key = relative(dir, path);
      if (entry.isDirectory()) {
        out[`${key}/`] = '';
        walk(path);
      } else out[key] = readFileSync(path).toString('base64');
    }
  };
  walk(dir);
  return out;
}

/** A working folder with a file where a folder could be wanted, and a finished run under runs/. */
function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'unforget-refusals-'));
  writeFileSync(join(root, 'blocker'), 'a file, not a folder\n');
  writeFakeRun(join(root, 'runs', 'done'), {
    seed: 0,
    strategies: [
      {
        name: 'naive',
        matrix: [
          [0.9, 0.1],
          [0.4, 0.8],
        ],
      },
    ],
  });
  return root;
}

/** Runs `args` in `root` and checks the refusal: exit 2, `message` on stderr, no stack, nothing changed. */
function refused(root: string, args: string[], message: RegExp, uid?: number): void {
  const before = snapshot(root);
  const run = unforget(args, root, uid);
  assert.equal(run.status, 2, `${args.join(' ')}: exit ${run.status}\n${run.stderr}`);
  assert.match(run.stderr, message, args.join(' '));
  assert.doesNotMatch(run.stderr, /\n\s+at /, `${args.join(' ')}: no stack trace`);
  assert.equal(run.stdout.includes('on the native backend'), false, 'refused before the engine starts');
  assert.deepEqual(snapshot(root), before, `${args.join(' ')}: the files there are unchanged`);
}

const quick = ['run', '--benchmark', 'split-mnist', '--train-fraction', '0.01', '--strategies', 'naive'];

describe('unforget refuses, naming the field or path, exit code 2, nothing written', () => {
  it('--out where a file stands in the way of a folder', () => {
    const root = workspace();
    refused(
      root,
      [...quick, '--out', 'blocker/runs'],
      /^unforget: out: blocker\/runs: .*blocker is a file, not a folder$/m,
    );
    refused(root, [...quick, '--out', 'blocker'], /^unforget: out: blocker: is a file, not a folder$/m);
  });

  it('compare --out onto a file', () => {
    const root = workspace();
    refused(
      root,
      ['compare', 'runs', '--out', 'blocker'],
      /^unforget: out: blocker: is a file, not a folder$/m,
    );
  });

  it(
    '--out into a folder the user may not write, and report on a run folder it cannot write',
    { skip: !canRunAs(asUser) && 'running as root, and user nobody cannot run this checkout' },
    () => {
      const root = workspace();
      const locked = join(root, 'locked');
      mkdirSync(locked);
      cpSync(join(root, 'runs', 'done'), join(root, 'run-locked'), { recursive: true });
      for (const path of [root, locked, join(root, 'run-locked')]) chmodSync(path, 0o555);
      try {
        refused(
          root,
          [...quick, '--out', 'locked/runs'],
          /^unforget: out: locked\/runs: cannot write in .*locked \(permission denied\)$/m,
          asUser,
        );
        refused(
          root,
          ['report', 'run-locked'],
          /^unforget: run: run-locked: cannot write in .*run-locked \(permission denied\)$/m,
          asUser,
        );
      } finally {
        for (const path of [root, locked, join(root, 'run-locked')]) chmodSync(path, 0o755);
      }
    },
  );

  it('--resume on a run whose config.json is corrupt', () => {
    const root = workspace();
    mkdirSync(join(root, 'runs', 'killed'));
    writeFileSync(join(root, 'runs', 'killed', 'config.json'), '{"name": "killed", "seed": ');
    refused(
      root,
      ['run', '--resume', 'runs/killed'],
      /^unforget: resume: runs\/killed\/config\.json is not valid JSON \(.*\); the run cannot be resumed$/m,
    );
  });

  it('--scenario a benchmark does not run as', () => {
    const root = workspace();
    const base = ['run', '--train-fraction', '0.01', '--strategies', 'naive', '--out', 'runs'];
    refused(
      root,
      [...base, '--benchmark', 'permuted-mnist', '--scenario', 'class-il'],
      /^unforget: benchmark\.scenario: permuted-mnist runs as domain-il, got "class-il"$/m,
    );
    refused(
      root,
      [...base, '--benchmark', 'rotated-mnist', '--scenario', 'task-il'],
      /^unforget: benchmark\.scenario: rotated-mnist runs as domain-il, got "task-il"$/m,
    );
  });

  it('--strategies "" and --iterations with --epochs', () => {
    const root = workspace();
    refused(
      root,
      ['run', '--strategies', '', '--out', 'runs'],
      /^unforget: --strategies: expected at least one strategy .*, got ""$/m,
    );
    refused(
      root,
      [...quick, '--iterations', '5', '--epochs', '2', '--out', 'runs'],
      /^unforget: training\.iterations: give epochs or iterations, not both \(got epochs 2 and iterations 5\)$/m,
    );
  });

  it('--online with a method that needs boundaries leaves no run folder; --blurry without --online', () => {
    const root = workspace();
    refused(
      root,
      ['run', '--train-fraction', '0.01', '--online', '10', '--strategies', 'ewc', '--out', 'online-runs'],
      /^unforget: strategies\[0\]: ewc needs experience boundaries, which an online stream does not give \(task-free: naive, er, .*\)$/m,
    );
    refused(
      root,
      [...quick, '--blurry', '10', '--out', 'runs'],
      /^unforget: --blurry: .*give --online <batch size> too$/m,
    );
  });

  it('--name that is a path, nested or outside --out', () => {
    const root = workspace();
    refused(
      root,
      [...quick, '--name', 'a/b', '--out', 'runs'],
      /^unforget: name: expected one folder name .*, got "a\/b"$/m,
    );
    refused(
      root,
      [...quick, '--name', '../../x', '--out', 'runs'],
      /^unforget: name: expected one folder name .*, got "\.\.\/\.\.\/x"$/m,
    );
  });

  it('a method option that is unknown, misspelt or missing, before anything is written', () => {
    const root = workspace();
    refused(
      root,
      ['run', '--strategies', 'naive,er', '--out', 'runs'],
      /^unforget: strategies\[1\] \(er\)\.bufferSize: required \(a positive integer\)$/m,
    );
    refused(
      root,
      ['run', '--strategies', 'ewc:lamda=5', '--out', 'runs'],
      /^unforget: strategies\[0\] \(ewc\)\.lamda: unknown option; did you mean lambda\?$/m,
    );
    refused(
      root,
      ['run', '--strategies', 'naiv', '--out', 'runs'],
      /^unforget: strategies\[0\]\.name: unknown strategy "naiv"; did you mean naive\?$/m,
    );
    refused(
      root,
      ['run', '--strategies', 'memory-augmented:bufferSize=10:localAdaptation=5', '--out', 'runs'],
      /^unforget: strategies\[0\] \(memory-augmented\)\.localAdaptation: an option that is an object: set it in a config file/m,
    );
    refused(
      root,
      ['run', '--strategies', 'er:bufferSize', '--out', 'runs'],
      /^unforget: --strategies: er: expected key=value after the name, got "bufferSize"$/m,
    );
  });

  it('the snapshot sees a change (so the checks above can fail)', () => {
    const root = workspace();
    const before = snapshot(root);
    writeFileSync(join(root, 'runs', 'done', 'results.json'), '{}');
    assert.notDeepEqual(snapshot(root), before);
    assert.ok(statSync(join(root, 'blocker')).isFile());
  });
});
