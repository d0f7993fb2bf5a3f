import { COMPARED_METRICS, type ComparisonGroup, type SeedStat } from './compare.js';

/** `mean ± std` in percent with one decimal; the mean alone for a single run; `n/a` for NaN. */
export function formatSeedStat(stat: SeedStat): string {
  if (!Number.isFinite(stat.mean)) return 'n/a';
  const mean = (stat.mean * 100).toFixed(1);
  return Number.isFinite(stat.std) ? `${mean} ± ${(stat.std * 100).toFixed(1)}` : mean;
}

/** The rule behind the `*` marks, as the table and the page state it. */
export const MARK_RULE =
  'marked (*): differs from the best strategy of its benchmark and scenario by more than the seed spread, ' +
  '|mean - mean_best| > std + std_best (sample std over seeds, n - 1; needs two or more runs on both sides)';

/**
 * The comparison as a fixed-width text table: one row per (benchmark, scenario, strategy), metrics
 * as `mean ± std` in percent over the runs, `*` after a value that differs from the group's best.
 */
export function formatComparisonTable(groups: readonly ComparisonGroup[]): string {
  const header = [
    'benchmark',
    'scenario',
    'strategy',
    'runs',
    ...COMPARED_METRICS.map((m) => `${m.label} %`),
  ];
  const body = groups.flatMap((g) =>
    g.strategies.map((s) => [
      g.benchmark,
      g.scenario,
      s.strategy,
      String(s.runs.length),
      ...COMPARED_METRICS.map(({ key }) => `${formatSeedStat(s.stats[key])}${s.differs[key] ? ' *' : '  '}`),
    ]),
  );
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), '', MARK_RULE].join(
    '\n',
  );
}
