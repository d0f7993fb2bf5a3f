/**
 * The run report in a real browser: headless Chromium opens report.html from disk (file://) and
 * finds every chart drawn (SVG marks with a real size), no console error and no failed request.
 * CI installs Debian's `chromium`; elsewhere a missing browser skips the test, saying so.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { writeFakeRun } from '../src/loggers/report/testing/run-folder.js';
import { writeRunReport } from '../src/loggers/report/write-report.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI) {
  throw new Error(
    `${CHROMIUM} not found: CI must install the Debian package "chromium" (apt-get install chromium)`,
  );
}

describe('report.html in headless Chromium', () => {
  it(
    'shows every chart rendered, with no console errors and no failed requests',
    {
      skip: missing ? `${CHROMIUM} not found: install the Debian package "chromium" to run this test` : false,
    },
    async () => {
      const dir = writeFakeRun(join(mkdtempSync(join(tmpdir(), 'unforget-browser-')), 'run'), {
        strategies: [
          {
            name: 'naive',
            matrix: [
              [0.9, 0.1, 0.1],
              [0.5, 0.8, 0.2],
              [0.3, 0.4, 0.7],
            ],
          },
          {
            name: 'ewc',
            matrix: [
              [0.9, 0.1, 0.1],
              [0.8, 0.8, 0.2],
              [0.7, 0.7, 0.7],
            ],
            wallSeconds: 5,
          },
        ],
      });
      const { html, svgs } = await writeRunReport(dir);
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--headless',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning')
            problems.push(`console ${m.type()}: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        page.on('request', (r) => requests.push(r.url()));
        page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
        await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });

        assert.equal(await page.title(), 'unforget report: fake');
        const charts = await page.locator('figure.chart').evaluateAll((figures) =>
          figures.map((f) => {
            const svg = f.querySelector('svg');
            const box = svg?.getBoundingClientRect();
            return {
              id: f.id,
              width: box?.width ?? 0,
              height: box?.height ?? 0,
              // Drawn marks: bars, cells, lines and symbols are paths; labels are text.
              marks: svg?.querySelectorAll('g[class*="role-mark"] path').length ?? 0,
              text: svg?.querySelectorAll('text').length ?? 0,
            };
          }),
        );
        assert.equal(charts.length, svgs.length);
        for (const chart of charts) {
          assert.ok(
            chart.width > 50 && chart.height > 50,
            `${chart.id} has a size: ${chart.width}x${chart.height}`,
          );
          assert.ok(chart.marks > 0 && chart.text > 0, `${chart.id} has marks and text`);
        }
        const heatmap = charts.find((c) => c.id === 'chart-matrix-naive');
        assert.equal(heatmap?.marks, 9, 'one heatmap cell per entry of R');
        const cellText = await page.locator('#chart-matrix-naive text').allTextContents();
        assert.ok(cellText.includes('80.0%') && cellText.includes('30.0%'));
        const summary = await page.locator('#summary tbody tr').first().locator('td').allTextContents();
        assert.deepEqual(summary.slice(0, 4), ['naive', '46.7', '50.0', '-50.0']);

        assert.deepEqual(problems, []);
        assert.deepEqual(requests, [pathToFileURL(html).href], 'the page loads nothing but itself');
      } finally {
        await browser.close();
      }
    },
  );
});
