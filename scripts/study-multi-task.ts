/**
 * Multi-task learning with task weightings on Split-MNIST (examples/multi-task/): offline
 * multi-task training against joint training (task-IL, multi-head), and continual multi-task
 * replay against Naive (task-IL, multi-head) and against Naive and ER (class-IL, one head), each
 * with the four weightings (equal, uncertainty, GradNorm, DWA), for several seeds, through the
 * same runner as `unforget run`. There are no published numbers for this combination.
 *
 *   npx tsx scripts/study-multi-task.ts [--configs task-il-offline] [--seeds 0,1,2]
 *     [--methods naive,multi-task-replay:gradnorm] [--train-fraction 0.1]
 *
 * A config holds one strategy several times with different weightings, so a run is named by its
 * method label (`multi-task:gradnorm`). Finished runs are appended to
 * docs/reproductions/multi-task.json at once (keyed by config, train fraction, seed and label),
 * and docs/results.json and the generated block of docs/results.md are rewritten from every
 * record; recorded runs are skipped when the script runs again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadRunConfig } from '../src/cli/config.js';
import { runExperiment } from '../src/cli/run-experiment.js';
import type { StrategyConfig } from '../src/cli/config-schema.js';
import type { MethodMetricsEvent } from '../src/core/events.js';
import {
  appendRecords,
  markdownTable,
  mergeResultsJson,
  readJson,
  replaceGeneratedBlock,
  type ResultEntry,
} from './reproduction/records.js';
import { studyArguments, type StudyRecord } from './reproduction/study.js';
import { byOrder, cellCommand, cellsOf, resultEntry, showStat } from './reproduction/cells.js';

const CONFIGS = ['task-il-offline', 'task-il-replay', 'class-il-replay'] as const;
const SOURCE =
  'unforget measurement; weightings: Kendall et al. 2018 (uncertainty), Chen et al. 2018 (GradNorm), Liu et al. 2019 (DWA)';
const COMMAND = 'npx tsx scripts/study-multi-task.ts';

const args = studyArguments(CONFIGS, { 'train-fraction': { type: 'string', default: '1' } });

interface RunRecord extends StudyRecord {
  trainFraction: number;
  acc: number;
  forgetting: number;
  /** Each task's weight after the last experience (multi-task methods). */
  weights: Record<string, number> | null;
  seconds: number;
  backend: string;
}

/** `multi-task:gradnorm`, or the strategy's name when it has no weighting. */
const label = (s: StrategyConfig) => (s.weighting ? `${s.name}:${s.weighting}` : s.name);
const trainFraction = Number(args['train-fraction']);
const runsFile = join('docs', 'reproductions', 'multi-task.json');
const key = (r: RunRecord) => `${r.config}/${r.trainFraction}/${r.seed}/${r.method}`;

async function publish(records: RunRecord[]): Promise<void> {
  const byConfig = byOrder(CONFIGS);
  const cells = cellsOf(
    records,
    { acc: (r) => 100 * r.acc, forgetting: (r) => 100 * r.forgetting },
    (r) => `${r.config}\u0000${r.trainFraction}\u0000${r.method}`,
  )
    .map((c) => ({ ...c, trainFraction: c.first.trainFraction }))
    .sort((a, b) => byConfig(a.config, b.config) || a.trainFraction - b.trainFraction);
  const benchmark = (c: (typeof cells)[number]) =>
    `split-mnist ${c.config.startsWith('class') ? 'single-head' : 'multi-head'}${c.config.endsWith('replay') ? ' (buffer 200)' : ''}${c.trainFraction < 1 ? ` (train fraction ${c.trainFraction})` : ''}`;
  const entries: ResultEntry[] = cells.flatMap((c) =>
    (['ACC', 'forgetting'] as const).map((metric) =>
      resultEntry({
        benchmark: benchmark(c),
        scenario: c.config.startsWith('class') ? 'class-il' : 'task-il',
        method: c.method,
        metric,
        value: metric === 'ACC' ? c.acc : c.forgetting,
        seeds: c.seeds,
        published: null,
        source: SOURCE,
        command: `${cellCommand(COMMAND, c)} --train-fraction ${c.trainFraction}`,
      }),
    ),
  );
  await mergeResultsJson(join('docs', 'results.json'), SOURCE, entries);
  const lines = markdownTable(
    [
      'config',
      'train fraction',
      'method',
      'ACC %',
      'forgetting %',
      'final task weights',
      'seeds',
      's per run',
    ],
    cells.map((c) => {
      const weights = c.first.weights
        ? Object.values(c.first.weights)
            .map((w) => w.toFixed(2))
            .join(' / ')
        : '—';
      return [
        c.config,
        String(c.trainFraction),
        c.method,
        showStat(c.acc),
        showStat(c.forgetting),
        `${weights} (seed ${c.first.seed})`,
        c.seeds.join(', '),
        c.seconds.toFixed(0),
      ];
    }),
  );
  await replaceGeneratedBlock(join('docs', 'results.md'), 'multi-task', 'scripts/study-multi-task.ts', lines);
}

const quiet = { write: (_chunk: string) => true };
let records = readJson<RunRecord[]>(runsFile, []);
const wanted = args.methods?.split(',');
for (const name of args.configs.split(',')) {
  if (!(CONFIGS as readonly string[]).includes(name)) {
    throw new Error(`--configs: expected names among ${CONFIGS.join(', ')}, got "${name}"`);
  }
  const base = loadRunConfig(join('examples', 'multi-task', `${name}.yaml`));
  for (const seed of args.seeds.split(',').map(Number)) {
    for (const strategy of base.strategies.filter((s) => !wanted || wanted.includes(label(s)))) {
      const method = label(strategy);
      if (records.some((r) => key(r) === key({ config: name, trainFraction, seed, method } as RunRecord))) {
        process.stderr.write(`${name} seed ${seed} ${method}: recorded already, skipped\n`);
        continue;
      }
      const result = await runExperiment(
        {
          ...base,
          benchmark: { ...base.benchmark, trainFraction },
          strategies: [strategy],
          seed,
          out: join(tmpdir(), 'unforget-multi-task-runs'),
        },
        { stdout: quiet },
      );
      const s = Object.values(result.summaries)[0];
      // The weights reported after the last experience (metrics.jsonl holds every event of the run).
      const reports = readFileSync(join(result.dir, 'metrics.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line.includes('"method-metrics"'))
        .map((line) => JSON.parse(line) as MethodMetricsEvent);
      const last = reports.at(-1)?.values ?? null;
      const fresh: RunRecord = {
        config: name,
        trainFraction,
        seed,
        method,
        acc: s.acc,
        forgetting: s.forgetting,
        weights: last ? { ...last } : null,
        seconds: s.wallSeconds,
        backend: result.engine.backend,
      };
      records = await appendRecords(runsFile, [fresh], key);
      await publish(records);
      process.stderr.write(
        `${name} seed ${seed} ${method}: ACC ${(100 * s.acc).toFixed(2)} forgetting ${(100 * s.forgetting).toFixed(2)} (${s.wallSeconds.toFixed(0)} s)\n`,
      );
    }
  }
}
await publish(records);
