import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeFakeRun } from './testing/run-folder.js';
import { onlineRunEvents } from '../testing/run-events.js';
import { writeRunReport } from './write-report.js';

const MATRIX = [
  [0.9, 0.1, 0.1],
  [0.5, 0.8, 0.2],
  [0.3, 0.4, 0.7],
];
const unescape = (html: string) =>
  html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
/** The cells of the table row whose first cell is `first`. */
function row(html: string, table: string, first: string): string[] {
  const body = html.split(`<table id="${table}">`)[1].split('</table>')[0];
  const tr = body.split('<tr>').find((r) => r.startsWith(`<td>${first}</td>`)) ?? '';
  return [...tr.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]);
}

describe('writeRunReport', () => {
  it('writes a self-contained report.html with the summary numbers, config, machine and inline charts', async () => {
    const dir = writeFakeRun(join(mkdtempSync(join(tmpdir(), 'unforget-report-')), 'run'), {
      seed: 4,
      strategies: [
        { name: 'naive', matrix: MATRIX, baseline: [0.1, 0.2, 0.0], wallSeconds: 9 },
        {
          name: 'ewc+lwf',
          matrix: [
            [0.9, 0.1, 0.1],
            [0.8, 0.8, 0.2],
            [0.7, 0.7, 0.7],
          ],
          wallSeconds: 5,
        },
      ],
    });
    const written = await writeRunReport(dir);
    assert.deepEqual(written.warnings, []);
    const html = readFileSync(written.html, 'utf8');
    // ACC 46.7, forgetting 50.0, BWT -50.0, FWT mean(R[0][1] - 0.2, R[1][2] - 0.0) = 5.0, 9 s, 600 samples / 3 s.
    assert.deepEqual(row(html, 'summary', 'naive'), ['naive', '46.7', '50.0', '-50.0', '5.0', '9.0', '200']);
    assert.deepEqual(row(html, 'summary', 'ewc+lwf').slice(1, 4), ['70.0', '15.0', '-15.0']);
    const config = JSON.parse(unescape(html.split('<pre id="config">')[1].split('</pre>')[0]));
    assert.deepEqual(config, JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')));
    assert.match(html, /<dt>backend<\/dt><dd>cpu<\/dd>/);
    assert.match(html, /<dt>Node.js<\/dt><dd>v\d+\./);

    // Self-contained: nothing fetched at view time, no script.
    // url(#id) points inside the page (gradients); any other url( would be fetched.
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\((?!#)/i);
    const pageIds = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(pageIds).size, pageIds.length, 'ids are unique across the inlined SVGs');
    for (const [, ref] of html.matchAll(/url\(#([^)]+)\)/g))
      assert.ok(pageIds.includes(ref), `url(#${ref}) resolves`);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i);

    const files = readdirSync(join(dir, 'charts')).sort();
    const ids = [
      'average-accuracy',
      'curves-ewc+lwf',
      'curves-naive',
      'forgetting-bwt',
      'matrix-ewc+lwf',
      'matrix-naive',
      'samples-per-second',
      'wall-time',
    ];
    assert.deepEqual(
      files,
      ids.flatMap((id) => [`${id}.png`, `${id}.svg`]),
    );
    for (const id of ids) {
      const svg = readFileSync(join(dir, 'charts', `${id}.svg`), 'utf8');
      assert.ok(
        new RegExp(`<figure id="chart-${id.replace('+', '\\+')}" class="chart" aria-label="[^"]+">`).test(
          html,
        ) && html.includes(`">${svg}</figure>`),
        `${id} inline in the page`,
      );
      assert.equal(
        readFileSync(join(dir, 'charts', `${id}.png`))
          .subarray(1, 4)
          .toString(),
        'PNG',
      );
    }
    assert.doesNotMatch(html, /<h2>Drift<\/h2>/, 'no drift section for a run that watched none');
    // Regenerating from the same files gives the same page: the report is a function of the run folder.
    await writeRunReport(dir);
    assert.equal(readFileSync(written.html, 'utf8'), html);
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary files left');
  });

  it("shows an online run's drift events against the boundaries, with delays and false alarms", async () => {
    const drift = onlineRunEvents().filter((e) => e.type === 'drift-watch' || e.type === 'drift');
    const dir = writeFakeRun(join(mkdtempSync(join(tmpdir(), 'unforget-report-')), 'run'), {
      strategies: [
        { name: 'naive', matrix: MATRIX, drift },
        { name: 'er', matrix: MATRIX },
      ],
    });
    const html = readFileSync((await writeRunReport(dir)).html, 'utf8');
    assert.match(html, /<h2>Drift<\/h2>/);
    const table = (first: string) => row(html, 'drift-naive', first);
    // example, step, experience, boundary before, delay, kind
    assert.deepEqual(table('57'), ['57', '5', '0', '–', '–', 'false alarm']);
    assert.deepEqual(table('223'), ['223', '22', '1', '200', '24', 'detection']);
    assert.deepEqual(table('251'), ['251', '25', '1', '200', '52', 'false alarm']);
    assert.deepEqual(table('415'), ['415', '41', '2', '400', '16', 'detection']);
    assert.ok(
      html.includes(
        '<p>Boundaries at 200 (delay 24), 400 (delay 16) of 600 examples: 2 of 2 detected, mean delay 20.0, 2 false alarms.</p>',
      ),
    );
    // ER watched no drift: no table of its own.
    assert.ok(!html.includes('id="drift-er"'));
  });
});
