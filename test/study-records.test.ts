/** The study scripts' record files: writers that finish together all keep their records. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { appendRecords, mergeResultsJson, type ResultEntry } from '../scripts/reproduction/records.js';

describe('study records', () => {
  it('keeps every record when eight writers append at once, and leaves no lock behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-records-'));
    const path = join(dir, 'runs.json');
    await Promise.all(
      Array.from({ length: 8 }, (_, seed) =>
        appendRecords(path, [{ config: 'c', seed, method: 'm' }], (r) => `${r.config}/${r.seed}/${r.method}`),
      ),
    );
    const seeds = (JSON.parse(readFileSync(path, 'utf8')) as { seed: number }[]).map((r) => r.seed);
    assert.deepEqual([...seeds].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(existsSync(`${path}.lock`), false);
    rmSync(dir, { recursive: true });
  });

  it('keeps both studies when two merge their results.json entries at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-results-'));
    const path = join(dir, 'results.json');
    const entry = (source: string): ResultEntry => ({
      benchmark: 'b',
      scenario: 's',
      method: 'm',
      metric: 'ACC',
      mean: 1,
      std: null,
      seeds: [0],
      published: null,
      source,
      command: 'c',
    });
    await Promise.all([
      mergeResultsJson(path, 'study A', [entry('study A')]),
      mergeResultsJson(path, 'study B', [entry('study B')]),
    ]);
    const sources = (JSON.parse(readFileSync(path, 'utf8')) as ResultEntry[]).map((e) => e.source);
    assert.deepEqual(sources, ['study A', 'study B']);
    rmSync(dir, { recursive: true });
  });
});
