import { join } from 'node:path';
import { compareRuns, duplicateSeedWarnings, type ComparisonGroup } from './compare.js';
import { comparisonCharts } from './compare-charts.js';
import { compareReportHtml } from './compare-html.js';
import type { RenderedChart } from './page.js';
import { readRunFiles } from './run-files.js';
import { writeCharts, type WrittenReport } from './write-report.js';
import { writeFileAtomic } from '../../core/atomic-write.js';

/** What `writeComparison` wrote and computed. */
export interface WrittenComparison extends WrittenReport {
  readonly groups: readonly ComparisonGroup[];
  /** compare.json: the groups with their per-seed values, means and marks. */
  readonly json: string;
}

/**
 * Reads the run folders `dirs`, compares them (`compareRuns`) and writes into `outDir`:
 * `compare.html`, `compare.json` and `charts/*.svg` / `*.png`, each file atomically.
 * A folder that is not a finished run is a DataFormatError naming it, before anything is written.
 */
export async function writeComparison(dirs: readonly string[], outDir: string): Promise<WrittenComparison> {
  const runs = dirs.map((dir) => readRunFiles(dir));
  const groups = compareRuns(runs);
  const rendered: RenderedChart[][] = [];
  const svgs: string[] = [];
  const pngs: string[] = [];
  const warnings: string[] = duplicateSeedWarnings(groups);
  for (const group of groups) {
    const out = await writeCharts(outDir, comparisonCharts(group));
    rendered.push(out.rendered);
    svgs.push(...out.svgs);
    pngs.push(...out.pngs);
    warnings.push(...out.warnings.filter((w) => !warnings.includes(w)));
  }
  const json = join(outDir, 'compare.json');
  // NaN (e.g. std of one run) becomes null in JSON, as in results.json.
  writeFileAtomic(json, `${JSON.stringify({ runs: dirs, groups }, null, 2)}\n`);
  const html = join(outDir, 'compare.html');
  writeFileAtomic(html, compareReportHtml(groups, rendered, dirs));
  return { html, json, svgs, pngs, warnings, groups };
}
