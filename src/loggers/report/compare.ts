import type { RunFiles, StrategyRun } from './run-files.js';

/** Mean and sample standard deviation of one metric over the seeds of a group. */
export interface SeedStat {
  readonly values: readonly number[];
  readonly mean: number;
  /** Sample standard deviation (n - 1 in the denominator); NaN with a single run. */
  readonly std: number;
}

/** Which way is better for a metric: higher ACC and BWT, lower forgetting. */
export const COMPARED_METRICS = [
  { key: 'acc', label: 'ACC', better: 'higher' },
  { key: 'forgetting', label: 'forgetting', better: 'lower' },
  { key: 'bwt', label: 'BWT', better: 'higher' },
] as const;

export type ComparedMetric = (typeof COMPARED_METRICS)[number]['key'];

/** One strategy of one (benchmark, scenario) group, over its runs (normally one per seed). */
export interface ComparedStrategy {
  readonly strategy: string;
  /** Seeds of its runs in the order given (a run without a recorded seed counts, unnamed). */
  readonly seeds: readonly (number | undefined)[];
  readonly runs: readonly string[];
  readonly stats: Readonly<Record<ComparedMetric, SeedStat>>;
  /** Per metric: this strategy has the best mean of the group. */
  readonly best: Readonly<Record<ComparedMetric, boolean>>;
  /**
   * Per metric: the difference from the group's best is larger than the seed spread,
   * `|mean - mean_best| > std + std_best`, both over at least two runs (see `differsFromBest`).
   */
  readonly differs: Readonly<Record<ComparedMetric, boolean>>;
}

/** The strategies run on one benchmark and scenario: the ones it makes sense to compare. */
export interface ComparisonGroup {
  readonly benchmark: string;
  readonly scenario: string;
  readonly strategies: readonly ComparedStrategy[];
}

/** Mean and sample standard deviation (n - 1); the mean is NaN when any value is (e.g. T = 1). */
export function seedStat(values: readonly number[]): SeedStat {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n < 2 ? Number.NaN : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { values, mean, std };
}

/**
 * The marking rule: `a` differs from the best `b` when `|mean_a - mean_b| > std_a + std_b`,
 * i.e. the one-standard-deviation bands over seeds do not overlap. It needs a spread on both
 * sides, so a strategy (or best) with a single run is never marked: one seed shows no spread.
 */
export function differsFromBest(a: SeedStat, best: SeedStat): boolean {
  if (!(a.values.length >= 2 && best.values.length >= 2)) return false;
  if (![a.mean, a.std, best.mean, best.std].every(Number.isFinite)) return false;
  return Math.abs(a.mean - best.mean) > a.std + best.std;
}

const metricValue = (s: StrategyRun, metric: ComparedMetric) => s[metric];

/**
 * Groups the strategies of `runs` by (benchmark, scenario, strategy), averages each metric over
 * the runs (seeds) of a group, finds each metric's best strategy in every (benchmark, scenario)
 * and marks the strategies whose difference from it is larger than the seed spread.
 * Groups and strategies keep the order in which they first appear.
 */
export function compareRuns(runs: readonly RunFiles[]): ComparisonGroup[] {
  const groups = new Map<
    string,
    { benchmark: string; scenario: string; members: Map<string, { run: RunFiles; s: StrategyRun }[]> }
  >();
  for (const run of runs) {
    for (const s of run.strategies) {
      const scenario = s.scenario ?? 'unknown';
      const key = JSON.stringify([run.benchmark, scenario]);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { benchmark: run.benchmark, scenario, members: new Map() }));
      const list = group.members.get(s.name) ?? [];
      list.push({ run, s });
      group.members.set(s.name, list);
    }
  }
  return [...groups.values()].map(({ benchmark, scenario, members }) => {
    const partial = [...members.entries()].map(([strategy, list]) => ({
      strategy,
      seeds: list.map(({ run }) => run.seed),
      runs: list.map(({ run }) => run.dir),
      stats: Object.fromEntries(
        COMPARED_METRICS.map(({ key }) => [key, seedStat(list.map(({ s }) => metricValue(s, key)))]),
      ) as Record<ComparedMetric, SeedStat>,
    }));
    const bestOf = Object.fromEntries(
      COMPARED_METRICS.map(({ key, better }) => {
        const finite = partial.filter((p) => Number.isFinite(p.stats[key].mean));
        const best = finite.reduce<(typeof partial)[number] | undefined>((top, p) => {
          if (!top) return p;
          const delta = p.stats[key].mean - top.stats[key].mean;
          return (better === 'higher' ? delta > 0 : delta < 0) ? p : top;
        }, undefined);
        return [key, best];
      }),
    ) as Record<ComparedMetric, (typeof partial)[number] | undefined>;
    const strategies = partial.map((p) => {
      const flags = (test: (key: ComparedMetric) => boolean) =>
        Object.fromEntries(COMPARED_METRICS.map(({ key }) => [key, test(key)])) as Record<
          ComparedMetric,
          boolean
        >;
      return {
        ...p,
        best: flags((key) => bestOf[key] === p),
        differs: flags((key) => {
          const best = bestOf[key];
          return best !== undefined && best !== p && differsFromBest(p.stats[key], best.stats[key]);
        }),
      };
    });
    return { benchmark, scenario, strategies };
  });
}
