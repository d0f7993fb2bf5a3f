import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { summarize } from '../metrics/index.js';
import { writeResultsJson } from './results-json.js';
import { BASELINE, MATRIX, runEvents } from './testing/run-events.js';

const dir = mkdtempSync(join(tmpdir(), 'unforget-results-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('writeResultsJson', () => {
  it('writes matrix, baseline and summary per strategy, replacing the old file without a temp file left', () => {
    const path = join(dir, 'results.json');
    writeFileSync(path, '{"old": true}');
    const summary = { ...summarize(runEvents()), peakRssBytes: 123456 };
    writeResultsJson(path, {
      naive: { matrix: summary.matrix, baseline: summary.baseline, summary },
      // T = 1: forgetting, BWT and FWT are NaN, written as null.
      single: {
        matrix: [[0.5]],
        summary: { acc: 0.5, forgetting: NaN, bwt: NaN, fwt: NaN, wallSeconds: 2, trainSamplesPerSecond: 50 },
      },
    });
    const written = JSON.parse(readFileSync(path, 'utf8'));
    assert.deepEqual(Object.keys(written), ['naive', 'single']);
    assert.deepEqual(written.naive.matrix, MATRIX);
    assert.deepEqual(written.naive.baseline, BASELINE);
    assert.deepEqual(Object.keys(written.naive.summary), [
      'acc',
      'forgetting',
      'bwt',
      'fwt',
      'wallSeconds',
      'trainSamplesPerSecond',
      'peakRssBytes',
    ]);
    assert.ok(Math.abs(written.naive.summary.acc - 1.4 / 3) < 1e-12);
    assert.ok(Math.abs(written.naive.summary.forgetting - 0.5) < 1e-12);
    assert.ok(Math.abs(written.naive.summary.bwt + 0.5) < 1e-12);
    assert.ok(Math.abs(written.naive.summary.fwt - 0.05) < 1e-12);
    assert.equal(written.naive.summary.wallSeconds, 9);
    assert.equal(written.naive.summary.trainSamplesPerSecond, 200);
    assert.equal(written.naive.summary.peakRssBytes, 123456);
    assert.deepEqual(written.single, {
      matrix: [[0.5]],
      baseline: null,
      summary: {
        acc: 0.5,
        forgetting: null,
        bwt: null,
        fwt: null,
        wallSeconds: 2,
        trainSamplesPerSecond: 50,
        peakRssBytes: null,
      },
    });
    assert.deepEqual(readdirSync(dir), ['results.json']);
  });

  it('keeps the old file and removes the temp file when the write fails', () => {
    const path = join(dir, 'results.json');
    const before = readFileSync(path, 'utf8');
    // A rename onto a non-empty folder fails after the temp file was written.
    const target = join(dir, 'taken');
    writeResultsJson(join(target, 'inner.json'), {});
    assert.throws(() => writeResultsJson(target, {}));
    assert.equal(readFileSync(path, 'utf8'), before);
    assert.deepEqual(readdirSync(dir).sort(), ['results.json', 'taken']);
  });
});
