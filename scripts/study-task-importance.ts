/**
 * Task importance (issue 6): each importance-weighted method against the same method with uniform
 * weights, at an equal budget (the configs in examples/task-importance/: importance replay on
 * Split-MNIST class-IL, EWC and LwF on Split-MNIST task-IL, replay and EWC on Permuted-MNIST;
 * reduced protocols, stated in each config), each for several seeds, through the same runner as
 * `unforget run`.
 *
 *   npx tsx scripts/study-task-importance.ts [--configs permuted-mnist] [--seeds 0,1,2] [--methods importance-ewc]
 *
 * Finished (config, seed, method) runs are appended to docs/reproductions/task-importance.json
 * at once, with the estimator's per-experience series (its `method-metrics` events); the study's
 * entries of docs/results.json and its generated block of docs/results.md are rewritten from
 * every recorded run; recorded runs are skipped when the script runs again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { perStrategy, runStudy, studyArguments, type StudyRecord } from './reproduction/study.js';
import {
  markdownTable,
  mergeResultsJson,
  replaceGeneratedBlock,
  type ResultEntry,
} from './reproduction/records.js';
import { byOrder, cellCommand, cellsOf, resultEntry, showStat as show } from './reproduction/cells.js';

const CONFIGS = [
  'split-mnist-class-il',
  'split-mnist-class-il-mild',
  'split-mnist-task-il',
  'split-mnist-domain-il',
  'permuted-mnist',
  'split-mnist-class-il-full',
  'split-mnist-class-il-full-mild',
  'permuted-mnist-10',
  'permuted-mnist-10-lambda100',
] as const;
const BENCHMARK: Record<string, { benchmark: string; scenario: string }> = {
  'split-mnist-class-il': {
    benchmark: 'split-mnist (reduced: 784-100-100, 1/4 data, 1 epoch)',
    scenario: 'class-il',
  },
  'split-mnist-class-il-mild': {
    benchmark: 'split-mnist (reduced: 784-100-100, 1/4 data, 1 epoch; T = 1, EMA 0.9)',
    scenario: 'class-il',
  },
  'split-mnist-domain-il': {
    benchmark: 'split-mnist (reduced: 784-100-100, 1/4 data, 300 it.)',
    scenario: 'domain-il',
  },
  'split-mnist-task-il': {
    benchmark: 'split-mnist (reduced: 784-100-100, 1/4 data, 300 it.)',
    scenario: 'task-il',
  },
  'permuted-mnist': {
    benchmark: 'permuted-mnist x5 (reduced: 784-100-100, 1/4 data, 300 it.)',
    scenario: 'domain-il',
  },
  'split-mnist-class-il-full': {
    benchmark: 'split-mnist (784-100-100, all data, 1 epoch)',
    scenario: 'class-il',
  },
  'split-mnist-class-il-full-mild': {
    benchmark: 'split-mnist (784-100-100, all data, 1 epoch; T = 1, EMA 0.9)',
    scenario: 'class-il',
  },
  'permuted-mnist-10': {
    benchmark: 'permuted-mnist x10 (784-100-100, all data, 1000 it.)',
    scenario: 'domain-il',
  },
  'permuted-mnist-10-lambda100': {
    benchmark: 'permuted-mnist x10 (784-100-100, all data, 1000 it.; EWC lambda 100)',
    scenario: 'domain-il',
  },
};
const SOURCE = 'unforget measurement (task importance, scripts/study-task-importance.ts)';
const COMMAND = 'npx tsx scripts/study-task-importance.ts';

const args = studyArguments(CONFIGS, {});

/** The estimator's numbers after one experience (`importance/task0`, `forgetting/task0`, ...). */
interface SeriesPoint {
  afterExperience: number;
  values: Record<string, number>;
}

/** One strategy's result on one seed (fractions). */
interface RunRecord extends StudyRecord {
  acc: number;
  forgetting: number;
  seconds: number;
  series: SeriesPoint[];
}

/** The task-importance plugin's `method-metrics` events of the run in `dir`. */
function seriesOf(dir: string): SeriesPoint[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as {
          type: string;
          plugin?: string;
          afterExperience: number;
          values: Record<string, number>;
        },
    )
    .filter((e) => e.type === 'method-metrics' && e.plugin === 'task-importance')
    .map((e) => ({ afterExperience: e.afterExperience, values: e.values }));
}

const cells = (records: RunRecord[]) =>
  cellsOf(records, { acc: (r) => 100 * r.acc, forgetting: (r) => 100 * r.forgetting });

function entries(cell: ReturnType<typeof cells>[number]): ResultEntry[] {
  return (['ACC', 'forgetting'] as const).map((metric) =>
    resultEntry({
      ...BENCHMARK[cell.config],
      method: cell.method,
      metric,
      value: metric === 'ACC' ? cell.acc : cell.forgetting,
      seeds: cell.seeds,
      published: null,
      source: SOURCE,
      command: cellCommand(COMMAND, cell),
    }),
  );
}

async function publish(records: RunRecord[]): Promise<void> {
  const ours = cells(records);
  await mergeResultsJson('docs/results.json', SOURCE, ours.flatMap(entries));
  const base = (m: string) => m.replace(/-uniform$/, '');
  const byConfig = byOrder(CONFIGS);
  const sorted = [...ours].sort(
    (a, b) =>
      byConfig(a.config, b.config) ||
      base(a.method).localeCompare(base(b.method)) ||
      a.method.length - b.method.length,
  );
  const lines = markdownTable(
    [
      'benchmark',
      'scenario',
      'method',
      'weights',
      'ACC %',
      'forgetting %',
      'ACC: importance − uniform',
      'seeds',
      's per run',
    ],
    sorted.map((c) => {
      const uniform = c.method.endsWith('-uniform');
      const partner = ours.find((o) => o.config === c.config && o.method === `${c.method}-uniform`);
      const delta = !uniform && partner ? (c.acc.mean - partner.acc.mean).toFixed(2) : '';
      const { benchmark, scenario } = BENCHMARK[c.config];
      return [
        benchmark,
        scenario,
        base(c.method),
        uniform ? 'uniform' : 'importance',
        show(c.acc),
        show(c.forgetting),
        delta,
        c.seeds.join(', '),
        c.seconds.toFixed(1),
      ];
    }),
  );
  // The estimate over time for one run: importance replay, class-IL, seed 0.
  const example = records.find(
    (r) => r.config === 'split-mnist-class-il' && r.method === 'importance-replay' && r.seed === 0,
  );
  if (example) {
    lines.push(
      '',
      'Importance estimate after each experience (importance replay, Split-MNIST class-IL, seed 0): per old task, importance (forgetting %, conflict).',
      '',
      ...markdownTable(
        ['after experience', 'measurements', 'task 0', 'task 1', 'task 2', 'task 3'],
        example.series.map((point) => {
          const task = (k: number) => {
            const w = point.values[`importance/task${k}`];
            if (w === undefined) return '';
            const f = point.values[`forgetting/task${k}`];
            const c = point.values[`conflict/task${k}`];
            return f === undefined
              ? w.toFixed(2)
              : `${w.toFixed(2)} (${(100 * f).toFixed(1)}, ${c.toFixed(2)})`;
          };
          return [
            String(point.afterExperience),
            String(point.values.measurements),
            task(0),
            task(1),
            task(2),
            task(3),
          ];
        }),
      ),
    );
  }
  await replaceGeneratedBlock(
    'docs/results.md',
    'task-importance',
    'scripts/study-task-importance.ts',
    lines,
  );
}

await runStudy<RunRecord>({
  folder: 'task-importance',
  known: CONFIGS,
  selection: args,
  runsFile: join('docs', 'reproductions', 'task-importance.json'),
  record: (name, seed, result) =>
    perStrategy(name, seed, result, (s) => ({
      acc: s.acc,
      forgetting: s.forgetting,
      seconds: s.wallSeconds,
      series: seriesOf(result.dir),
    })),
  describe: (fresh) =>
    fresh
      .map((r) => `${r.method} ACC ${(100 * r.acc).toFixed(2)} forgetting ${(100 * r.forgetting).toFixed(2)}`)
      .join(', '),
  publish,
});
