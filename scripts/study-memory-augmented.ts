/**
 * Measures the memory-augmented learner (src/strategies/memory-augmented/memory-augmented.ts) on Split-MNIST in
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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationEvent, TrainingEvent } from '../src/core/events.js';
import { averageForgetting } from '../src/metrics/index.js';
import {
  perStrategy,
  runStudy,
  studyArguments,
  studyPaths,
  trainFractionOptions,
  withTrainFraction,
  type StudyRecord,
} from './reproduction/study.js';
import {
  markdownTable,
  mergeResultsJson,
  replaceGeneratedBlock,
  type ResultEntry,
} from './reproduction/records.js';
import {
  byOrder,
  cellCommand,
  cellsOf,
  resultEntry,
  showStat as show,
  type Stat,
} from './reproduction/cells.js';

const CONFIGS = ['buffer-500', 'local-adaptation', 'no-replay', 'read-loss'] as const;
const SOURCE =
  "Sprechmann et al. 2018, Memory-based parameter adaptation (ICLR); de Masson d'Autume et al. 2019, Episodic memory in lifelong language learning (NeurIPS); unforget measurement";
const COMMAND = 'npx tsx scripts/study-memory-augmented.ts';

const args = studyArguments(CONFIGS, trainFractionOptions);

/** One strategy's result on one seed (accuracies and forgetting as fractions). */
interface RunRecord extends StudyRecord {
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
const { runsFile, resultsJson, resultsMd } = studyPaths(
  'memory-augmented',
  smoke,
  args['out-dir'],
  'unforget-mbpa-',
);

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

const cells = (records: RunRecord[]) =>
  cellsOf(records, {
    classIl: (r) => 100 * r.classIl,
    taskIl: (r) => 100 * r.taskIl,
    classIlForgetting: (r) => 100 * r.classIlForgetting,
    taskIlForgetting: (r) => 100 * r.taskIlForgetting,
    inference: (r) => r.inferenceMsPer1000,
  });
type Cell = ReturnType<typeof cells>[number];
const kib = (c: Cell) => (c.first.methodMemoryBytes === null ? null : c.first.methodMemoryBytes / 1024);

function entries(cell: Cell): ResultEntry[] {
  const benchmark = cell.method === 'naive' ? 'seq-mnist' : 'seq-mnist (500 stored examples)';
  const method = label(cell.config, cell.method);
  const command = cellCommand(COMMAND, cell);
  const entry = (scenario: string, metric: string, value: Stat) =>
    resultEntry({
      benchmark,
      scenario,
      method,
      metric,
      value,
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
  const [byConfig, byMethod] = [byOrder(CONFIGS), byOrder(['naive', 'er', 'memory-augmented'])];
  const sorted = [...ours].sort((a, b) => byConfig(a.config, b.config) || byMethod(a.method, b.method));
  const lines = markdownTable(
    [
      'method',
      'class-IL ACC %',
      'class-IL forgetting %',
      'task-IL ACC %',
      'task-IL forgetting %',
      'inference ms / 1000 test samples',
      'memory KiB',
      'seeds',
      's per run',
    ],
    sorted.map((c) => [
      label(c.config, c.method),
      show(c.classIl),
      show(c.classIlForgetting),
      show(c.taskIl),
      show(c.taskIlForgetting),
      show(c.inference),
      kib(c)?.toFixed(0) ?? '—',
      c.seeds.join(', '),
      c.seconds.toFixed(1),
    ]),
  );
  await replaceGeneratedBlock(resultsMd, 'memory-augmented', 'scripts/study-memory-augmented.ts', lines);
}

await runStudy<RunRecord>({
  folder: 'memory-augmented',
  known: CONFIGS,
  selection: args,
  runsFile,
  adjust: withTrainFraction(args['train-fraction']),
  record: (name, seed, result) => {
    const evaluated = evaluations(result.dir);
    const samples = evaluated.reduce((n, e) => n + e.perExperience.reduce((m, x) => m + x.total, 0), 0);
    // The run's evaluations after each experience, in order (the untrained baseline left out).
    const taskAware = evaluated
      .filter((e) => e.afterExperience >= 0)
      .map((e) => e.perExperience.map((x) => x.taskAwareAccuracy ?? NaN));
    return perStrategy(name, seed, result, (s) => {
      const training = s.secondsPerExperience.reduce((a, b) => a + b, 0);
      return {
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
