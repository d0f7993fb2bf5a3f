import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { runCharts, type ChartSpec } from './charts.js';
import type { RenderedChart } from './page.js';
import { MissingFontsError, renderPng, renderSvg } from './render.js';
import { readRunFiles } from './run-files.js';
import { runReportHtml } from './report-html.js';

/** What a report writer wrote; `warnings` say what it could not (e.g. PNGs without fonts). */
export interface WrittenReport {
  readonly html: string;
  readonly svgs: readonly string[];
  readonly pngs: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * Renders `charts` and writes each as `<dir>/charts/<id>.svg` and `.png`. Without fonts the PNGs
 * are skipped with a warning: the SVGs and the page do not need them.
 */
export async function writeCharts(
  dir: string,
  charts: readonly ChartSpec[],
): Promise<{ rendered: RenderedChart[]; svgs: string[]; pngs: string[]; warnings: string[] }> {
  const rendered: RenderedChart[] = [];
  const svgs: string[] = [];
  const pngs: string[] = [];
  const warnings: string[] = [];
  for (const chart of charts) {
    const svg = await renderSvg(chart.spec, chart.id);
    rendered.push({ id: chart.id, title: chart.title, svg });
    const svgPath = join(dir, 'charts', `${chart.id}.svg`);
    writeFileAtomic(svgPath, svg);
    svgs.push(svgPath);
    if (warnings.length > 0) continue;
    try {
      const pngPath = join(dir, 'charts', `${chart.id}.png`);
      writeFileAtomic(pngPath, renderPng(svg));
      pngs.push(pngPath);
    } catch (error) {
      if (!(error instanceof MissingFontsError)) throw error;
      warnings.push(error.message);
    }
  }
  return { rendered, svgs, pngs, warnings };
}

/**
 * (Re)generates a run folder's report from its files: `report.html` plus `charts/*.svg` and
 * `charts/*.png`. Throws a DataFormatError naming the file when the folder is not a finished run.
 */
export async function writeRunReport(dir: string): Promise<WrittenReport> {
  const run = readRunFiles(dir);
  const { rendered, svgs, pngs, warnings } = await writeCharts(dir, runCharts(run.strategies));
  const html = join(dir, 'report.html');
  writeFileAtomic(html, runReportHtml(run, rendered));
  return { html, svgs, pngs, warnings };
}
