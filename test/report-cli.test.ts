/**
 * `unforget run` leaves environment.json and a report in its run folder; `unforget report`
 * regenerates the report from the folder's files; a folder that is not a run exits with code 2
 * naming it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

function unforget(args: string[]) {
  return spawnSync(process.execPath, ['bin/unforget.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
}

describe('unforget report', () => {
  it('a run writes environment.json and report.html; report regenerates them from the files', () => {
    const out = mkdtempSync(join(tmpdir(), 'unforget-report-cli-'));
    const run = unforget([
      'run',
      '--benchmark',
      'split-mnist',
      '--strategies',
      'naive',
      '--epochs',
      '1',
      '--seed',
      '0',
      '--train-fraction',
      '0.02',
      '--out',
      out,
    ]);
    assert.equal(run.status, 0, run.stderr);
    const [folder] = readdirSync(out);
    const dir = join(out, folder);
    const environment = JSON.parse(readFileSync(join(dir, 'environment.json'), 'utf8'));
    assert.equal(environment.backend, JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).backend);
    assert.equal(environment.node, process.version);
    assert.ok(environment.cpuCount >= 1 && environment.totalMemoryBytes > 0);
    assert.ok(!('hostname' in environment), 'the machine is described, not named');

    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const acc = (results.naive.summary.acc * 100).toFixed(1);
    assert.match(html, new RegExp(`<tr><td>naive</td><td>${acc.replace('.', '\\.')}</td>`));
    assert.ok(readdirSync(join(dir, 'charts')).includes('matrix-naive.png'));

    rmSync(join(dir, 'report.html'));
    rmSync(join(dir, 'charts'), { recursive: true });
    const again = unforget(['report', dir]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /report: .*report\.html \(6 charts\)/);
    assert.equal(readFileSync(join(dir, 'report.html'), 'utf8'), html, 'same files, same report');
    assert.equal(readdirSync(join(dir, 'charts')).length, 12);
  });

  it('refuses a folder that is not a run with exit code 2, naming the missing file', () => {
    const empty = mkdtempSync(join(tmpdir(), 'unforget-report-cli-'));
    const refused = unforget(['report', empty]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, new RegExp(`^unforget: ${join(empty, 'config.json')}: missing`));
    const nowhere = unforget(['report', join(empty, 'nope')]);
    assert.equal(nowhere.status, 2);
    assert.match(nowhere.stderr, /nope: not a folder: expected a run folder/);
    assert.deepEqual(readdirSync(empty), [], 'nothing written');
  });
});
