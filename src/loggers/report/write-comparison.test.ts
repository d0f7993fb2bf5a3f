import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeFakeRun } from './testing/run-folder.js';
import { writeComparison } from './write-comparison.js';

const strategy = (name: string, acc: number) => ({
  name,
  matrix: [
    [0.9, 0.1],
    [acc, acc],
  ],
});

describe('writeComparison', () => {
  it('writes compare.html with mean ± std and the marked differences, compare.json and charts', async () => {
    const root = mkdtempSync(join(tmpdir(), 'unforget-comparison-'));
    const acc = { good: [0.8, 0.82, 0.84], bad: [0.5, 0.6, 0.55] };
    const dirs = [0, 1, 2].map((seed) =>
      writeFakeRun(join(root, `s${seed}`), {
        seed,
        strategies: [strategy('good', acc.good[seed]), strategy('bad', acc.bad[seed])],
      }),
    );
    const out = join(root, 'cmp');
    const written = await writeComparison(dirs, out);
    const html = readFileSync(written.html, 'utf8');
    const cell = (name: string, metric: string) =>
      html
        .match(new RegExp(`<tr data-strategy="${name}">.*?<td([^>]*) data-metric="${metric}">([^<]*)</td>`))
        ?.slice(1) ?? [];
    assert.deepEqual(cell('good', 'acc'), [' class="best"', '82.0 ± 2.0 (best)']);
    assert.deepEqual(cell('bad', 'acc'), [' class="differs"', '55.0 ± 5.0 *']);
    assert.deepEqual(cell('bad', 'forgetting'), [' class="differs"', '35.0 ± 5.0 *']);
    assert.match(html, /\|mean − mean<sub>best<\/sub>\| &gt; std \+ std<sub>best<\/sub>/);
    assert.doesNotMatch(html, /<script|<link|@import|url\((?!#)/i);
    const json = JSON.parse(readFileSync(written.json, 'utf8'));
    assert.deepEqual(json.runs, dirs);
    assert.deepEqual(json.groups[0].strategies[1].stats.acc.values, [0.5, 0.6, 0.55]);
    assert.deepEqual(
      readdirSync(join(out, 'charts'))
        .filter((f) => f.endsWith('.svg'))
        .sort(),
      ['acc-split-mnist-class-il.svg', 'bwt-split-mnist-class-il.svg', 'forgetting-split-mnist-class-il.svg'],
    );
    const svg = readFileSync(join(out, 'charts', 'acc-split-mnist-class-il.svg'), 'utf8');
    assert.ok(svg.includes('>82.0%</text>') && svg.includes('>55.0%</text>'), 'means written on the bars');
    assert.equal((svg.match(/aria-roledescription="bar"/g) ?? []).length, 2);
  });
});
