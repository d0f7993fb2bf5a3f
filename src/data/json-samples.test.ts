import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadJsonSamples } from './json-samples.js';
import { refusal } from './testing/files.js';

const dir = mkdtempSync(join(tmpdir(), 'unforget-json-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function file(text: string, ext: string): string {
  const path = join(dir, `s${count++}${ext}`);
  writeFileSync(path, text);
  return path;
}

const jsonl = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n\n';

describe('loadJsonSamples', () => {
  it('reads JSON Lines of nested samples, skipping blank lines, with number and string labels', () => {
    const path = file(
      jsonl([
        {
          x: [
            [1, 2, 3],
            [4, 5, 6],
          ],
          y: 'cat',
          id: 7,
        },
        {
          x: [
            [0.5, 0, -1],
            [2, 2, 2],
          ],
          y: 3,
        },
      ]),
      '.jsonl',
    );
    const samples = loadJsonSamples(path, { cache: false });
    assert.deepEqual(samples.sampleShape, [2, 3]);
    assert.deepEqual(Array.from(samples.x), [1, 2, 3, 4, 5, 6, 0.5, 0, -1, 2, 2, 2]);
    assert.deepEqual(samples.labels, ['cat', 3]);
  });

  it('reads a JSON array of flat samples (by extension, or by its first character)', () => {
    const text = '[{"x": [1, 2], "y": 0}, {"x": [3, 4], "y": 1}]';
    for (const path of [file(text, '.json'), file(text, '.data')]) {
      const samples = loadJsonSamples(path, { cache: false });
      assert.deepEqual(samples.sampleShape, [2]);
      assert.deepEqual(Array.from(samples.x), [1, 2, 3, 4]);
      assert.deepEqual(samples.labels, [0, 1]);
    }
  });

  it('refuses bad JSON Lines naming the line and the field', () => {
    const ragged = file('{"x": [[1, 2], [3, 4]], "y": 0}\n\n{"x": [[1, 2], [3]], "y": 1}\n', '.jsonl');
    assert.equal(
      refusal(() => loadJsonSamples(ragged, { cache: false })),
      `${ragged}: line 3, field "x[1]": expected an array of 2 (the sample shape, as in line 1, is [2, 2]), got an array of 1`,
    );
    const word = file('{"x": [1, 2], "y": 0}\n{"x": [1, "a"], "y": 0}\n', '.jsonl');
    assert.equal(
      refusal(() => loadJsonSamples(word, { cache: false })),
      `${word}: line 2, field "x[1]": expected a number, got "a"`,
    );
    const deeper = file('{"x": [1, 2], "y": 0}\n{"x": [1, [2]], "y": 0}\n', '.jsonl');
    assert.match(
      refusal(() => loadJsonSamples(deeper, { cache: false })),
      /line 2, field "x\[1\]": expected a number, got an array/,
    );
    const noY = file('{"x": [1], "y": 0}\n{"x": [1]}\n', '.jsonl');
    assert.equal(
      refusal(() => loadJsonSamples(noY, { cache: false })),
      `${noY}: line 2, field "y": expected a number or a non-empty string, got nothing (no "y" field)`,
    );
    const nullY = file('{"x": [1], "y": null}\n', '.jsonl');
    assert.equal(
      refusal(() => loadJsonSamples(nullY, { cache: false })),
      `${nullY}: line 1, field "y": expected a number or a non-empty string, got null`,
    );
    const noX = file('{"y": 1}\n', '.jsonl');
    assert.equal(
      refusal(() => loadJsonSamples(noX, { cache: false })),
      `${noX}: line 1, field "x": expected an array of numbers, got nothing (no "x" field)`,
    );
    const broken = file('{"x": [1], "y": 0}\n{"x": [1, }\n', '.jsonl');
    assert.match(
      refusal(() => loadJsonSamples(broken, { cache: false })),
      /: line 2: expected a JSON object, got invalid JSON \(/,
    );
    const notObject = file('[1, 2]\n', '.jsonl');
    assert.equal(
      refusal(() => loadJsonSamples(notObject, { cache: false })),
      `${notObject}: line 1: expected an object { "x": [...], "y": ... }, got an array of 2`,
    );
    const emptyX = file('{"x": [], "y": 0}\n', '.jsonl');
    assert.equal(
      refusal(() => loadJsonSamples(emptyX, { cache: false })),
      `${emptyX}: line 1, field "x": expected a non-empty array, got []`,
    );
    const none = file('\n\n', '.jsonl');
    assert.equal(
      refusal(() => loadJsonSamples(none, { cache: false })),
      `${none}: expected at least one record, got none`,
    );
  });

  it('refuses a bad JSON array naming the record (0-based) and the field, or where the JSON breaks', () => {
    const bad = file('[{"x": [1, 2], "y": 0},\n {"x": [1, 2], "y": 1},\n {"x": [1, 2, 3], "y": 2}]', '.json');
    assert.equal(
      refusal(() => loadJsonSamples(bad, { cache: false })),
      `${bad}: record 2 (0-based), field "x": expected an array of 2 (the sample shape, as in record 0 (0-based), is [2]), got an array of 3`,
    );
    const broken = file('[{"x": [1], "y": 0},\n {"x": [1], "y": }]', '.json');
    assert.match(
      refusal(() => loadJsonSamples(broken, { cache: false })),
      /expected a JSON array of records, got invalid JSON \(.*at line 2, column 18\)$/,
    );
    const object = file('{"x": [1], "y": 0}', '.json');
    assert.equal(
      refusal(() => loadJsonSamples(object, { cache: false })),
      `${object}: expected a JSON array of records { "x": [...], "y": ... }, got an object`,
    );
  });

  it('caches the decoded samples, keyed by the file size and modification time', () => {
    const cache = join(dir, 'cache');
    const path = file(
      jsonl([
        { x: [1], y: 'a' },
        { x: [2], y: 0 },
      ]),
      '.jsonl',
    );
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    const first = loadJsonSamples(path, { cache });
    assert.equal(readdirSync(join(cache, 'files')).filter((f) => f.startsWith('json-samples-')).length, 1);
    writeFileSync(
      path,
      jsonl([
        { x: [8], y: 'b' },
        { x: [9], y: 1 },
      ]),
    );
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    const second = loadJsonSamples(path, { cache });
    assert.deepEqual(Array.from(second.x), Array.from(first.x));
    assert.deepEqual(second.labels, ['a', 0]);
    assert.deepEqual(second.sampleShape, [1]);
    assert.deepEqual(loadJsonSamples(path, { cache: false }).labels, ['b', 1]);
  });
});
