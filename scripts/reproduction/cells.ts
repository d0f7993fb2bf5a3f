/**
 * What the study scripts make of their records: cells, one per (config, method), with the mean
 * and standard deviation of each named metric over the seeds; results.json entries built from a
 * cell's numbers; and the table helpers every generated block uses.
 */
import { groupBy, meanStd, round2, type ResultEntry } from './records.js';
import type { StudyRecord } from './study.js';

/** A metric over the seeds of a cell (in the unit the metric's accessor returns). */
export type Stat = { mean: number; std: number | null };

/** One (config, method) of a study: its seeds (sorted), the mean run time and each metric's stat. */
export type Cell<R, M extends string> = {
  config: string;
  method: string;
  seeds: number[];
  seconds: number;
  /** The cell's first record, for what is the same across seeds (benchmark, memory, ...). */
  first: R;
} & Record<M, Stat>;

/**
 * Groups `records` into cells by config and method (or by `key`), keeping first-seen order, with
 * `meanStd` of each of `metrics` (e.g. `{ acc: (r) => 100 * r.acc }`).
 */
export function cellsOf<R extends StudyRecord & { seconds: number }, M extends string>(
  records: readonly R[],
  metrics: Record<M, (r: R) => number>,
  key: (r: R) => string = (r) => `${r.config}\u0000${r.method}`,
): Cell<R, M>[] {
  return groupBy(records, key).map((group) => {
    const stats = Object.fromEntries(
      Object.entries<(r: R) => number>(metrics).map(([name, of]) => [name, meanStd(group.map(of))]),
    ) as Record<M, Stat>;
    return {
      config: group[0].config,
      method: group[0].method,
      seeds: group.map((r) => r.seed).sort((a, b) => a - b),
      seconds: meanStd(group.map((r) => r.seconds)).mean,
      first: group[0],
      ...stats,
    };
  });
}

/** A results.json entry for `value` (rounded to two decimals), fields in the file's order. */
export function resultEntry(fields: Omit<ResultEntry, 'mean' | 'std'> & { value: Stat }): ResultEntry {
  const { value } = fields;
  return {
    benchmark: fields.benchmark,
    scenario: fields.scenario,
    method: fields.method,
    metric: fields.metric,
    mean: round2(value.mean),
    std: value.std === null ? null : round2(value.std),
    seeds: fields.seeds,
    published: fields.published,
    source: fields.source,
    command: fields.command,
  };
}

/** The command that reruns one cell: `<script> --configs c --methods m --seeds 0,1,2`. */
export const cellCommand = (script: string, cell: { config: string; method: string; seeds: number[] }) =>
  `${script} --configs ${cell.config} --methods ${cell.method} --seeds ${cell.seeds.join(',')}`;

/** `mean ± std` with two decimals (the mean alone for one seed). */
export const showStat = (v: Stat) => `${v.mean.toFixed(2)}${v.std === null ? '' : ` ± ${v.std.toFixed(2)}`}`;

/** Compares two names by their place in `order` (for sorting rows by config, then method). */
export const byOrder =
  (order: readonly string[]) =>
  (a: string, b: string): number =>
    order.indexOf(a) - order.indexOf(b);
