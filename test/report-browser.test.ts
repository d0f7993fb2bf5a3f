/**
 * The reports in a real browser: headless Chromium opens report.html and compare.html from disk
 * (file://) and finds every chart drawn (SVG marks with a real size), no console error, no
 * failed request and no request but the page itself. CI installs Debian's `chromium`; elsewhere a
 * missing browser skips the tests, saying so.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, launchChromium } from './support/chromium.js';
import { writeFakeRun } from '../src/loggers/report/testing/run-folder.js';
import { writeComparison } from '../src/loggers/report/write-comparison.js';
import { writeRunReport } from '../src/loggers/report/write-report.js';

const skip = chromiumSkip;

const MATRIX = [
  [0.9, 0.1, 0.1],
  [0.5, 0.8, 0.2],
  [0.3, 0.4, 0.7],
];
const BETTER = [
  [0.9, 0.1, 0.1],
  [0.8, 0.8, 0.2],
  [0.7, 0.7, 0.7],
];

interface DrawnChart {
  id: string;
  width: number;
  height: number;
  marks: number;
  text: number;
}

/** Opens `file` and returns the page, its charts as drawn, and what went wrong while loading. */
async function open(
  browser: Browser,
  file: string,
): Promise<{ page: Page; charts: DrawnChart[]; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`request for ${r.url()}: the page must load nothing but itself`);
  });
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
  await page.goto(url, { waitUntil: 'load' });
  const charts = await page.locator('figure.chart').evaluateAll((figures) =>
    figures.map((f) => {
      const svg = f.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      return {
        id: f.id,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        // Drawn marks: bars, cells, lines, rules and symbols are paths; labels are text.
        marks: svg?.querySelectorAll('g[class*="role-mark"] path, g[class*="role-mark"] line').length ?? 0,
        text: svg?.querySelectorAll('text').length ?? 0,
      };
    }),
  );
  for (const chart of charts) {
    assert.ok(
      chart.width > 50 && chart.height > 50,
      `${chart.id} has a size: ${chart.width}x${chart.height}`,
    );
    assert.ok(chart.marks > 0 && chart.text > 0, `${chart.id} has marks and text`);
  }
  return { page, charts, problems };
}

describe('reports in headless Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it('report.html: every chart rendered, the heatmap cells and the summary numbers shown, no errors', async () => {
    const dir = writeFakeRun(join(mkdtempSync(join(tmpdir(), 'unforget-browser-')), 'run'), {
      strategies: [
        { name: 'naive', matrix: MATRIX },
        { name: 'ewc', matrix: BETTER, wallSeconds: 5 },
      ],
    });
    const { html, svgs } = await writeRunReport(dir);
    const { page, charts, problems } = await open(browser, html);
    assert.equal(await page.title(), 'unforget report: fake');
    assert.equal(charts.length, svgs.length);
    assert.equal(
      charts.find((c) => c.id === 'chart-matrix-naive')?.marks,
      9,
      'one heatmap cell per entry of R',
    );
    const cellText = await page.locator('#chart-matrix-naive text').allTextContents();
    assert.ok(cellText.includes('80.0%') && cellText.includes('30.0%'));
    const summary = await page.locator('#summary tbody tr').first().locator('td').allTextContents();
    assert.deepEqual(summary.slice(0, 4), ['naive', '46.7', '50.0', '-50.0']);
    assert.deepEqual(problems, []);
  });

  it('compare.html: the charts rendered and the marked cell highlighted, no errors', async () => {
    const root = mkdtempSync(join(tmpdir(), 'unforget-browser-'));
    const dirs = [0, 1, 2].map((seed) =>
      writeFakeRun(join(root, `s${seed}`), {
        seed,
        strategies: [
          { name: 'naive', matrix: MATRIX.map((row) => row.map((v) => v + 0.02 * seed)) },
          { name: 'ewc', matrix: BETTER.map((row) => row.map((v) => v - 0.02 * seed)) },
        ],
      }),
    );
    const { html, svgs } = await writeComparison(dirs, join(root, 'cmp'));
    const { page, charts, problems } = await open(browser, html);
    assert.equal(charts.length, svgs.length);
    const marked = page.locator('tr[data-strategy="naive"] td.differs[data-metric="acc"]');
    assert.match(await marked.innerText(), /^48\.7 ± 2\.0 \*$/);
    // A string, run in the page: this project's TypeScript has no DOM types.
    const background = await marked.evaluate('(td) => getComputedStyle(td).backgroundColor');
    assert.notEqual(background, 'rgba(0, 0, 0, 0)', 'a marked cell is highlighted');
    assert.deepEqual(problems, []);
  });
});
