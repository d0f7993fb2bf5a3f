import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { csvLogger, writeMatrixCsv } from './csv.js';
import { runEvents } from './testing/run-events.js';

const dir = mkdtempSync(join(tmpdir(), 'unforget-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const EXPECTED = 'after_experience,exp_0,exp_1,exp_2\n0,0.9,0.1,0.1\n1,0.5,0.8,0.2\n2,0.3,0.4,0.7\n';

describe('writeMatrixCsv', () => {
  it('writes the header and one row per experience', () => {
    const path = join(dir, 'direct.csv');
    writeMatrixCsv(path, [
      [0.9, 0.1, 0.1],
      [0.5, 0.8, 0.2],
      [0.3, 0.4, 0.7],
    ]);
    assert.equal(readFileSync(path, 'utf8'), EXPECTED);
  });
});

describe('csvLogger', () => {
  it('writes the matrix at run-end, not before, and leaves no temp file', () => {
    const path = join(dir, 'run', 'matrix.csv');
    const logger = csvLogger(path);
    const events = runEvents();
    for (const event of events.slice(0, -1)) logger.onEvent(event);
    assert.deepEqual(readdirSync(dir), ['direct.csv']);
    logger.onEvent(events[events.length - 1]);
    assert.equal(readFileSync(path, 'utf8'), EXPECTED);
    assert.deepEqual(readdirSync(join(dir, 'run')), ['matrix.csv']);
  });
});
