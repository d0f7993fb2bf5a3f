/** Text formatting of results for terminals: the accuracy matrix and a table over strategies. */

/** A number as a percentage with one decimal (`0.9` -> `90.0`); `n/a` for NaN (e.g. BWT with T = 1). */
export function percent(value: number): string {
  return Number.isFinite(value) ? (value * 100).toFixed(1) : 'n/a';
}

/**
 * The accuracy matrix as text: row i = after training on experience i, column j = accuracy on
 * experience j's test set, in percent with one decimal.
 */
export function formatMatrix(R: readonly (readonly number[])[]): string {
  const corner = 'after\\exp';
  const cells = R.map((row) => row.map(percent));
  const width = Math.max(5, ...cells.flat().map((c) => c.length), String(R.length - 1).length);
  const line = (first: string, rest: readonly string[]) =>
    [first.padStart(corner.length), ...rest.map((c) => c.padStart(width))].join('  ');
  return [
    line(
      corner,
      R.map((_, j) => String(j)),
    ),
    ...cells.map((row, i) => line(String(i), row)),
  ].join('\n');
}

/** One row of `formatSummaryTable`: accuracies are fractions, times seconds. */
export interface SummaryTableRow {
  readonly strategy: string;
  readonly acc: number;
  readonly forgetting: number;
  readonly bwt: number;
  readonly fwt: number;
  readonly wallSeconds: number;
  readonly peakRssBytes: number;
  /** Class-IL runs: ACC with predictions restricted to each experience's classes. */
  readonly taskAwareAcc?: number;
  /** Bytes of the examples the strategy stored (replay buffers, exemplars). */
  readonly methodMemoryBytes?: number;
}

const MIB = 1024 * 1024;

/**
 * A fixed-width table with one row per strategy: the strategy name left-aligned, numbers
 * right-aligned (metrics in percent, wall time in seconds, peak RSS in MiB), columns two spaces apart.
 */
export function formatSummaryTable(rows: readonly SummaryTableRow[]): string {
  // Columns that only some runs have (task-aware accuracy, stored examples) appear when one does.
  const taskAware = rows.some((r) => r.taskAwareAcc !== undefined);
  const stored = rows.some((r) => r.methodMemoryBytes !== undefined);
  const header = [
    'strategy',
    'ACC %',
    ...(taskAware ? ['task-aware ACC %'] : []),
    'forgetting %',
    'BWT %',
    'FWT %',
    'wall s',
    'peak RSS MiB',
    ...(stored ? ['memory KiB'] : []),
  ];
  const body = rows.map((r) => [
    r.strategy,
    percent(r.acc),
    ...(taskAware ? [r.taskAwareAcc === undefined ? 'n/a' : percent(r.taskAwareAcc)] : []),
    percent(r.forgetting),
    percent(r.bwt),
    percent(r.fwt),
    Number.isFinite(r.wallSeconds) ? r.wallSeconds.toFixed(1) : 'n/a',
    Number.isFinite(r.peakRssBytes) ? (r.peakRssBytes / MIB).toFixed(1) : 'n/a',
    ...(stored ? [r.methodMemoryBytes === undefined ? '-' : (r.methodMemoryBytes / 1024).toFixed(0)] : []),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((cells) => cells[c].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}
