/**
 * Reproduces Buzzega et al. 2020, "Dark Experience for General Continual Learning: a Strong,
 * Simple Baseline" (NeurIPS 2020), Table 2, Seq-MNIST column: the configs in
 * examples/der-seq-mnist/ (Mammoth's protocol and per-buffer hyperparameters), each for several
 * seeds, through the same runner as `unforget run`. One run gives both numbers, as in Mammoth:
 * class-IL accuracy, and task-IL accuracy (predictions restricted to each task's classes).
 *
 *   npx tsx scripts/reproduce-der-seq-mnist.ts [--configs buffer-500] [--seeds 0,1,2] [--methods er,derpp]
 *
 * Finished (config, seed, method) runs are appended to docs/reproductions/der-seq-mnist.json at
 * once; docs/results.json and the generated block of docs/results.md are rewritten from every
 * recorded run; recorded runs are skipped when the script runs again. `--train-fraction x` (a
 * quick smoke run on part of the data) writes under --out-dir instead (default: a temp folder).
 */
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
import { byOrder, cellCommand, cellsOf, resultEntry, showStat as show } from './reproduction/cells.js';

const CONFIGS = ['baselines', 'buffer-200', 'buffer-500', 'buffer-5120'] as const;
const BUFFER: Record<string, string> = {
  baselines: '—',
  'buffer-200': '200',
  'buffer-500': '500',
  'buffer-5120': '5120',
};
const SOURCE =
  'Buzzega et al. 2020, Dark Experience for General Continual Learning (NeurIPS), Table 2, S-MNIST';

/**
 * Published [class-IL, task-IL] accuracy in % (Table 2, S-MNIST column, means over 10 runs),
 * transcribed from the paper. Methods of the table that unforget does not implement (FDR, GSS,
 * HAL, MER) are left out; ER-ACE and GDumb are not in the table.
 */
const PUBLISHED: Record<string, Record<string, [number, number]>> = {
  baselines: { naive: [19.66, 96.39], joint: [95.57, 99.51] },
  'buffer-200': {
    er: [80.43, 97.86],
    gem: [80.11, 97.78],
    agem: [45.72, 98.61],
    icarl: [70.51, 98.28],
    der: [84.55, 98.8],
    derpp: [85.61, 98.76],
  },
  'buffer-500': {
    er: [86.12, 99.04],
    gem: [85.99, 98.71],
    agem: [46.66, 98.93],
    icarl: [70.1, 98.32],
    der: [90.54, 98.84],
    derpp: [91.0, 98.94],
  },
  'buffer-5120': {
    er: [93.4, 99.33],
    gem: [95.11, 99.44],
    agem: [54.24, 98.93],
    icarl: [70.6, 98.32],
    der: [94.9, 99.29],
    derpp: [95.3, 99.47],
  },
};

const args = studyArguments(CONFIGS, trainFractionOptions);

/** One strategy's result on one seed (accuracies as fractions). */
interface RunRecord extends StudyRecord {
  classIl: number;
  taskIl: number;
  forgetting: number;
  seconds: number;
  backend: string;
}

const smoke = args['train-fraction'] !== undefined;
const { runsFile, resultsJson, resultsMd } = studyPaths(
  'der-seq-mnist',
  smoke,
  args['out-dir'],
  'unforget-repro-',
);
const COMMAND = 'npx tsx scripts/reproduce-der-seq-mnist.ts';

const cells = (records: RunRecord[]) =>
  cellsOf(records, { classIl: (r) => 100 * r.classIl, taskIl: (r) => 100 * r.taskIl });

function entries(cell: ReturnType<typeof cells>[number]): ResultEntry[] {
  const published = PUBLISHED[cell.config]?.[cell.method];
  const buffer = BUFFER[cell.config];
  return (['class-il', 'task-il'] as const).map((scenario, k) =>
    resultEntry({
      benchmark: buffer === '—' ? 'seq-mnist' : `seq-mnist (buffer ${buffer})`,
      scenario,
      method: cell.method,
      metric: 'ACC',
      value: scenario === 'class-il' ? cell.classIl : cell.taskIl,
      seeds: cell.seeds,
      published: published ? published[k] : null,
      source: SOURCE,
      command: cellCommand(COMMAND, cell),
    }),
  );
}

async function writeResults(records: RunRecord[]): Promise<void> {
  const ours = cells(records);
  await mergeResultsJson(resultsJson, SOURCE, ours.flatMap(entries));
  const [byConfig, byMethod] = [
    byOrder(CONFIGS),
    byOrder(['naive', 'joint', 'er', 'gem', 'agem', 'icarl', 'der', 'derpp', 'er-ace', 'gdumb']),
  ];
  const sorted = [...ours].sort((a, b) => byConfig(a.config, b.config) || byMethod(a.method, b.method));
  const diff = (ours: number, published: number | undefined) =>
    published === undefined ? '—' : (ours - published).toFixed(2);
  const lines = markdownTable(
    [
      'buffer',
      'method',
      'class-IL % (ours)',
      'published',
      'ours − published',
      'task-IL % (ours)',
      'published',
      'ours − published',
      'seeds',
      's per run',
    ],
    sorted.map((c) => {
      const p = PUBLISHED[c.config]?.[c.method];
      return [
        BUFFER[c.config],
        c.method,
        show(c.classIl),
        p?.[0].toFixed(2) ?? '—',
        diff(c.classIl.mean, p?.[0]),
        show(c.taskIl),
        p?.[1].toFixed(2) ?? '—',
        diff(c.taskIl.mean, p?.[1]),
        c.seeds.join(', '),
        c.seconds.toFixed(1),
      ];
    }),
  );
  await replaceGeneratedBlock(resultsMd, 'der-seq-mnist', 'scripts/reproduce-der-seq-mnist.ts', lines);
}

await runStudy<RunRecord>({
  folder: 'der-seq-mnist',
  known: CONFIGS,
  selection: args,
  runsFile,
  adjust: withTrainFraction(args['train-fraction']),
  record: (name, seed, result) =>
    perStrategy(name, seed, result, (s) => ({
      classIl: s.acc,
      taskIl: s.taskAwareAcc ?? NaN,
      forgetting: s.forgetting,
      seconds: s.wallSeconds,
      backend: result.engine.backend,
    })),
  describe: (fresh) =>
    fresh
      .map(
        (r) => `${r.method} class-IL ${(100 * r.classIl).toFixed(2)} task-IL ${(100 * r.taskIl).toFixed(2)}`,
      )
      .join(', '),
  publish: writeResults,
});
process.stderr.write(`results: ${resultsJson}, ${resultsMd}\n`);
