/**
 * Measures the memory-augmented learner (src/strategies/memory-augmented.ts) on Split-MNIST in
 * Mammoth's Seq-MNIST protocol against ER with the same number of stored examples and against
 * Naive: the configs in examples/memory-augmented/, each for several seeds, through the same
 * runner as `unforget run`. One run gives both scenarios: class-IL, and task-IL (each task's
 * predictions restricted to its classes, `taskAwareAccuracy`).
 *
 *   npx tsx scripts/study-memory-augmented.ts [--configs buffer-500,local-adaptation,no-replay,read-loss] [--seeds 0,1,2] [--methods er]
 *
 * Per run it records ACC and forgetting in both scenarios (task-IL forgetting from the run's
 * evaluation events), and the inference cost: the run's time outside training (every evaluation,
 * the untrained baseline's included, with whatever a method does before it, such as refreshing
 * its memory's keys) per test sample evaluated, in ms per 1000 samples. Records go to
 * docs/reproductions/memory-augmented.json; docs/results.json and the generated block of
 * docs/results.md are rewritten from them. `--train-fraction x` writes under --out-dir instead.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EvaluationEvent, TrainingEvent } from '../src/core/events.js';
import { averageForgetting } from '../src/metrics/index.js';
import { runStudy } from './reproduction/study.js';
import {
  groupBy,
  meanStd,
  mergeResultsJson,
  replaceGeneratedBlock,
  round2,
  type ResultEntry,
} from './reproduction/records.js';

const CONFIGS = ['buffer-500', 'local-adaptation', 'no-replay', 'read-loss'] as const;
const SOURCE =
  "Sprechmann et al. 2018, Memory-based parameter adaptation (ICLR); de Masson d'Autume et al. 2019, Episodic memory in lifelong language learning (NeurIPS); unforget measurement";
const COMMAND = 'npx tsx scripts/study-memory-augmented.ts';

const { values: args } = parseArgs({
  options: {
    configs: { type: 'string', default: CONFIGS.join(',') },
    seeds: { type: 'string', default: '0,1,2' },
    methods: { type: 'string' },
    'train-fraction': { type: 'string' },
    'out-dir': { type: 'string' },
  },
});

/** One strategy's result on one seed (accuracies and forgetting as fractions). */
interface RunRecord {
  config: string;
  seed: number;
  method: string;
  classIl: number;
  taskIl: number;
  classIlForgetting: number;
  taskIlForgetting: number;
  /** Time outside training per 1000 test samples evaluated. */
  inferenceMsPer1000: number;
  seconds: number;
  methodMemoryBytes: number | null;
  backend: string;
}

const smoke = args['train-fraction'] !== undefined;
const outDir = args['out-dir'] ?? (smoke ? mkdtempSync(join(tmpdir(), 'unforget-mbpa-')) : 'docs');
const runsFile = join(outDir, 'reproductions', 'memory-augmented.json');
const resultsJson = join(outDir, 'results.json');
const resultsMd = join(outDir, 'results.md');

/** The label of a (config, method) in tables: each variant config's run is its own row. */
const LABEL_SUFFIX: Record<string, string> = {
  'local-adaptation': ' + local adaptation',
  'no-replay': ', no replay',
  'read-loss': ', trained through the read',
};
const label = (config: string, method: string) => `${method}${LABEL_SUFFIX[config] ?? ''}`;

/** The run's evaluation events (one strategy per run), from its metrics.jsonl. */
function evaluations(dir: string): EvaluationEvent[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TrainingEvent)
    .filter((e): e is EvaluationEvent => e.type === 'evaluation');
}

interface Cell {
  config: string;
  method: string;
  seeds: number[];
  classIl: { mean: number; std: number | null };
  taskIl: { mean: number; std: number | null };
  classIlForgetting: { mean: number; std: number | null };
  taskIlForgetting: { mean: number; std: number | null };
  inference: { mean: number; std: number | null };
  seconds: number;
  kib: number | null;
}

function cells(records: RunRecord[]): Cell[] {
  return groupBy(records, (r) => `${r.config}\u0000${r.method}`).map((group) => ({
    config: group[0].config,
    method: group[0].method,
    seeds: group.map((r) => r.seed).sort((a, b) => a - b),
    classIl: meanStd(group.map((r) => 100 * r.classIl)),
    taskIl: meanStd(group.map((r) => 100 * r.taskIl)),
    classIlForgetting: meanStd(group.map((r) => 100 * r.classIlForgetting)),
    taskIlForgetting: meanStd(group.map((r) => 100 * r.taskIlForgetting)),
    inference: meanStd(group.map((r) => r.inferenceMsPer1000)),
    seconds: meanStd(group.map((r) => r.seconds)).mean,
    kib: group[0].methodMemoryBytes === null ? null : group[0].methodMemoryBytes / 1024,
  }));
}

function entries(cell: Cell): ResultEntry[] {
  const benchmark = cell.method === 'naive' ? 'seq-mnist' : 'seq-mnist (500 stored examples)';
  const method = label(cell.config, cell.method);
  const command = `${COMMAND} --configs ${cell.config} --methods ${cell.method} --seeds ${cell.seeds.join(',')}`;
  const entry = (scenario: string, metric: string, value: { mean: number; std: number | null }) => ({
    benchmark,
    scenario,
    method,
    metric,
    mean: round2(value.mean),
    std: value.std === null ? null : round2(value.std),
    seeds: cell.seeds,
    published: null,
    source: SOURCE,
    command,
  });
  return [
    entry('class-il', 'ACC', cell.classIl),
    entry('class-il', 'forgetting', cell.classIlForgetting),
    entry('task-il', 'ACC', cell.taskIl),
    entry('task-il', 'forgetting', cell.taskIlForgetting),
    // Class-IL and task-IL numbers come from the same evaluations: one cost for both.
    entry('class-il', 'inference ms per 1000 test samples', cell.inference),
  ];
}

async function writeResults(records: RunRecord[]): Promise<void> {
  const ours = cells(records);
  await mergeResultsJson(resultsJson, SOURCE, ours.flatMap(entries));
  const order = ['naive', 'er', 'memory-augmented'];
  const sorted = [...ours].sort(
    (a, b) =>
      CONFIGS.indexOf(a.config as (typeof CONFIGS)[number]) -
        CONFIGS.indexOf(b.config as (typeof CONFIGS)[number]) ||
      order.indexOf(a.method) - order.indexOf(b.method),
  );
  const show = (v: { mean: number; std: number | null }) =>
    `${v.mean.toFixed(2)}${v.std === null ? '' : ` ± ${v.std.toFixed(2)}`}`;
  const lines = [
    '| method | class-IL ACC % | class-IL forgetting % | task-IL ACC % | task-IL forgetting % | inference ms / 1000 test samples | memory KiB | seeds | s per run |',
    '|---|---|---|---|---|---|---|---|---|',
    ...sorted.map(
      (c) =>
        `| ${label(c.config, c.method)} | ${show(c.classIl)} | ${show(c.classIlForgetting)} | ${show(c.taskIl)} | ${show(c.taskIlForgetting)} | ${show(c.inference)} | ${c.kib === null ? '—' : c.kib.toFixed(0)} | ${c.seeds.join(', ')} | ${c.seconds.toFixed(1)} |`,
    ),
  ];
  await replaceGeneratedBlock(resultsMd, 'memory-augmented', 'scripts/study-memory-augmented.ts', lines);
}

await runStudy<RunRecord>({
  folder: 'memory-augmented',
  known: CONFIGS,
  selection: args,
  runsFile,
  adjust: (config) =>
    smoke
      ? { ...config, benchmark: { ...config.benchmark, trainFraction: Number(args['train-fraction']) } }
      : config,
  record: (name, seed, result) => {
    const evaluated = evaluations(result.dir);
    const samples = evaluated.reduce((n, e) => n + e.perExperience.reduce((m, x) => m + x.total, 0), 0);
    // The run's evaluations after each experience, in order (the untrained baseline left out).
    const taskAware = evaluated
      .filter((e) => e.afterExperience >= 0)
      .map((e) => e.perExperience.map((x) => x.taskAwareAccuracy ?? NaN));
    return Object.entries(result.summaries).map(([method, s]) => {
      const training = s.secondsPerExperience.reduce((a, b) => a + b, 0);
      return {
        config: name,
        seed,
        method,
        classIl: s.acc,
        taskIl: s.taskAwareAcc ?? NaN,
        classIlForgetting: s.forgetting,
        taskIlForgetting: averageForgetting(taskAware),
        inferenceMsPer1000: ((s.wallSeconds - training) * 1e6) / samples,
        seconds: s.wallSeconds,
        methodMemoryBytes: s.methodMemoryBytes ?? null,
        backend: result.engine.backend,
      };
    });
  },
  describe: (fresh) =>
    fresh
      .map(
        (r) =>
          `${label(r.config, r.method)} class-IL ${(100 * r.classIl).toFixed(2)} task-IL ${(100 * r.taskIl).toFixed(2)} inference ${r.inferenceMsPer1000.toFixed(1)} ms/1000`,
      )
      .join(', '),
  publish: writeResults,
});
process.stderr.write(`results: ${resultsJson}, ${resultsMd}\n`);
