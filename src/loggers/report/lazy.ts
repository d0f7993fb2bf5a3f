/**
 * The report writers, loaded on first use: vega, vega-lite and resvg take about 0.6 s to import,
 * which every `unforget` command and every `import 'unforget'` would otherwise pay up front.
 */
import type { WrittenReport } from './write-report.js';
import type { WrittenComparison } from './write-comparison.js';

/** See `write-report.ts`: (re)generates `report.html` and `charts/*` of a run folder. */
export async function writeRunReport(dir: string): Promise<WrittenReport> {
  return (await import('./write-report.js')).writeRunReport(dir);
}

/** See `write-comparison.ts`: compares run folders into `outDir`. */
export async function writeComparison(dirs: readonly string[], outDir: string): Promise<WrittenComparison> {
  return (await import('./write-comparison.js')).writeComparison(dirs, outDir);
}
