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
  /**
   * The strategy's name; where runs of the same name were made with other settings, followed by
   * the settings that tell them apart, e.g. `er (training.lr=0.01)`.
   */
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

/** Settings that do not change a strategy's numbers, or that vary over the runs pooled (the seed). */
const NOT_SETTINGS = ['seed', 'name', 'out', 'checkpoint', 'tensorboard', 'backend', 'strategies'];

/**
 * What decides the numbers of a run's `index`-th strategy, but its seed: the run's config without
 * the seed and the other strategies, with this strategy's own entry; as `path=value` pairs.
 */
function settingsOf(run: RunFiles, index: number): Map<string, string> {
  const entries = Array.isArray(run.config.strategies) ? (run.config.strategies as unknown[]) : [];
  // results.json lists the strategies in the config's order (its names may differ: a
  // `weighting: uniform` entry reports as `<name>-uniform`).
  const entry = entries.length === run.strategies.length ? entries[index] : run.strategies[index].name;
  const rest = Object.entries(run.config).filter(([key]) => !NOT_SETTINGS.includes(key));
  const flat = new Map<string, string>();
  const walk = (value: unknown, path: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    } else if (value !== undefined) flat.set(path, JSON.stringify(value));
  };
  walk(Object.fromEntries(rest), '');
  walk(entry, 'strategy');
  return new Map([...flat.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `er (training.lr=0.01)`: where runs of one name were made with other settings, what tells them apart. */
function labels(name: string, variants: readonly Map<string, string>[]): string[] {
  if (variants.length < 2) return [name];
  const keys = [...new Set(variants.flatMap((v) => [...v.keys()]))].sort();
  const differing = keys.filter((k) => new Set(variants.map((v) => v.get(k))).size > 1);
  return variants.map(
    (v) =>
      `${name} (${differing.map((k) => `${k.replace(/^strategy\./, '')}=${v.get(k) ?? 'unset'}`).join(', ')})`,
  );
}

/**
 * Groups the strategies of `runs` by (benchmark, scenario), and within each by strategy and the
 * settings it ran with but the seed (runs of one config over seeds are pooled; other settings
 * are kept apart and labelled), averages each metric over the runs (seeds) of a member, finds each
 * metric's best member in every group and marks those whose difference from it is larger than
 * the seed spread. Groups and members keep the order in which they first appear.
 */
export function compareRuns(runs: readonly RunFiles[]): ComparisonGroup[] {
  type Member = { name: string; settings: Map<string, string>; list: { run: RunFiles; s: StrategyRun }[] };
  const groups = new Map<string, { benchmark: string; scenario: string; members: Map<string, Member> }>();
  for (const run of runs) {
    run.strategies.forEach((s, index) => {
      const scenario = s.scenario ?? 'unknown';
      const key = JSON.stringify([run.benchmark, scenario]);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { benchmark: run.benchmark, scenario, members: new Map() }));
      const settings = settingsOf(run, index);
      const memberKey = JSON.stringify([s.name, [...settings.entries()]]);
      const member = group.members.get(memberKey) ?? { name: s.name, settings, list: [] };
      member.list.push({ run, s });
      group.members.set(memberKey, member);
    });
  }
  return [...groups.values()].map(({ benchmark, scenario, members }) => {
    const all = [...members.values()];
    const labelOf = new Map<Member, string>();
    for (const name of new Set(all.map((m) => m.name))) {
      const same = all.filter((m) => m.name === name);
      labels(
        name,
        same.map((m) => m.settings),
      ).forEach((label, k) => labelOf.set(same[k], label));
    }
    const partial = all.map((member) => ({
      strategy: labelOf.get(member)!,
      seeds: member.list.map(({ run }) => run.seed),
      runs: member.list.map(({ run }) => run.dir),
      stats: Object.fromEntries(
        COMPARED_METRICS.map(({ key }) => [key, seedStat(member.list.map(({ s }) => metricValue(s, key)))]),
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

/** A warning for each compared strategy whose runs repeat a seed: its spread is not over seeds. */
export function duplicateSeedWarnings(groups: readonly ComparisonGroup[]): string[] {
  return groups.flatMap((group) =>
    group.strategies.flatMap((s) => {
      const seen = s.seeds.filter((seed): seed is number => seed !== undefined);
      const repeated = [...new Set(seen.filter((seed, i) => seen.indexOf(seed) !== i))];
      return repeated.length
        ? [
            `${s.strategy} on ${group.benchmark} (${group.scenario}): ${repeated.length === 1 ? 'seed' : 'seeds'} ${repeated.join(', ')} ran more than once; its mean ± std counts those runs as separate seeds`,
          ]
        : [];
    }),
  );
}
