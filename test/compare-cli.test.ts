/**
 * `unforget compare` over run folders given as a glob and as a folder of runs: the printed table
 * holds mean ± std over seeds with the differences beyond the seed spread marked, and the report
 * lands in --out. A folder without runs exits with code 2 naming it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeFakeRun } from '../src/loggers/report/testing/run-folder.js';

function unforget(args: string[], cwd?: string) {
  return spawnSync(process.execPath, [join(process.cwd(), 'bin/unforget.mjs'), ...args], {
    encoding: 'utf8',
    cwd,
    env: { ...process.env, CI: 'true' },
  });
}

/** T = 2; ACC = acc, forgetting = 0.9 - acc. */
const strategy = (name: string, acc: number) => ({
  name,
  matrix: [
    [0.9, 0.1],
    [acc, acc],
  ],
});

describe('unforget compare', () => {
  it('prints mean ± std per strategy over seeds, marks what lies beyond the spread, writes the report', () => {
    const root = mkdtempSync(join(tmpdir(), 'unforget-compare-cli-'));
    const acc = { lwf: [0.7, 0.74, 0.72], naive: [0.3, 0.2, 0.25] };
    for (const seed of [0, 1, 2]) {
      writeFakeRun(join(root, 'runs', `seed${seed}`), {
        seed,
        strategies: [strategy('lwf', acc.lwf[seed]), strategy('naive', acc.naive[seed])],
      });
    }
    // A run that crashed before results.json: left out of a folder's runs, and said so.
    mkdirSync(join(root, 'runs', 'crashed'));
    writeFileSync(join(root, 'runs', 'crashed', 'config.json'), '{}');
    const out = join(root, 'cmp');
    const glob = unforget(['compare', 'runs/seed*', '--out', out], root);
    assert.equal(glob.status, 0, glob.stderr);
    const line = (name: string) => glob.stdout.split('\n').find((l) => l.includes(` ${name} `)) ?? '';
    // lwf: 72 ± 2; naive: 25 ± 5, |72 - 25| > 2 + 5: marked.
    assert.match(
      line('lwf'),
      /split-mnist\s+class-il\s+lwf\s+3\s+72\.0 ± 2\.0\s+18\.0 ± 2\.0\s+-18\.0 ± 2\.0$/,
    );
    assert.match(line('naive'), /\s3\s+25\.0 ± 5\.0 \*\s+65\.0 ± 5\.0 \*\s+-65\.0 ± 5\.0 \*$/);
    assert.match(glob.stdout, /report: .*compare\.html/);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    assert.equal(json.runs.length, 3);
    assert.ok(existsSync(join(out, 'charts', 'acc-split-mnist-class-il.png')));

    // The folder holding the runs names the same three finished runs; the default --out is
    // <runs folder>/compare-<time>, and a later compare of that folder does not take it for a run.
    const folder = unforget(['compare', 'runs'], root);
    assert.equal(folder.status, 0, folder.stderr);
    assert.equal(folder.stdout.split('report:')[0], glob.stdout.split('report:')[0]);
    assert.match(folder.stderr, /^unforget: left out .*crashed: unfinished \(no results\.json\)$/m);
    assert.match(folder.stdout, /report: .*\/runs\/compare-\d{4}-\d\d-\d\dT[\d-]+\/compare\.html/);
    assert.deepEqual(readdirSync(root).sort(), ['cmp', 'runs'], 'nothing lands in the working directory');
    const again = unforget(['compare', 'runs'], root);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout.split('report:')[0], glob.stdout.split('report:')[0]);
  });

  it('refuses a folder with no runs, and a glob that matches nothing, with exit code 2', () => {
    const root = mkdtempSync(join(tmpdir(), 'unforget-compare-cli-'));
    const empty = unforget(['compare', root]);
    assert.equal(empty.status, 2);
    assert.equal(
      empty.stderr.trim(),
      `unforget: ${root}: not a run folder (no config.json) and holds no run folders`,
    );
    const glob = unforget(['compare', join(root, 'runs-*')]);
    assert.equal(glob.status, 2);
    assert.match(glob.stderr, /runs-\*: matches no file or folder/);
  });
});
