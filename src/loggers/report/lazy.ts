/**
 * The report writers, loaded on first use: vega, vega-lite and resvg take about 0.6 s to import,
 * which every `unforget` command and every `import 'unforget'` would otherwise pay up front. They
 * are optional peer dependencies: where they are not installed, a MissingPackageError says how to
 * get them (a run still writes everything else).
 */
import { importOptional } from '../../core/optional-package.js';
import type { WrittenReport } from './write-report.js';
import type { WrittenComparison } from './write-comparison.js';

/** What the report's charts are drawn with. */
export const REPORT_PACKAGES = ['vega', 'vega-lite', '@resvg/resvg-js'] as const;
const PURPOSE = 'the HTML report and its charts (unforget report, compare, report.html)';

/** See `write-report.ts`: (re)generates `report.html` and `charts/*` of a run folder. */
export async function writeRunReport(dir: string): Promise<WrittenReport> {
  const module = await importOptional(() => import('./write-report.js'), REPORT_PACKAGES, PURPOSE);
  return module.writeRunReport(dir);
}

/** See `write-comparison.ts`: compares run folders into `outDir`. */
export async function writeComparison(dirs: readonly string[], outDir: string): Promise<WrittenComparison> {
  const module = await importOptional(() => import('./write-comparison.js'), REPORT_PACKAGES, PURPOSE);
  return module.writeComparison(dirs, outDir);
}
