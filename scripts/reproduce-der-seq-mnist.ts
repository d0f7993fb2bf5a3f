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
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runStudy } from './reproduction/study.js';
import {
  groupBy,
  meanStd,
  mergeResultsJson,
  replaceGeneratedBlock,
  round2,
  type ResultEntry,
} from './reproduction/records.js';

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

const { values: args } = parseArgs({
  options: {
    configs: { type: 'string', default: CONFIGS.join(',') },
    seeds: { type: 'string', default: '0,1,2' },
    methods: { type: 'string' },
    'train-fraction': { type: 'string' },
    'out-dir': { type: 'string' },
  },
});

/** One strategy's result on one seed (accuracies as fractions). */
interface RunRecord {
  config: string;
  seed: number;
  method: string;
  classIl: number;
  taskIl: number;
  forgetting: number;
  seconds: number;
  backend: string;
}

const smoke = args['train-fraction'] !== undefined;
const outDir = args['out-dir'] ?? (smoke ? mkdtempSync(join(tmpdir(), 'unforget-repro-')) : 'docs');
const runsFile = join(outDir, 'reproductions', 'der-seq-mnist.json');
const resultsJson = join(outDir, 'results.json');
const resultsMd = join(outDir, 'results.md');
const COMMAND = 'npx tsx scripts/reproduce-der-seq-mnist.ts';

interface Cell {
  config: string;
  method: string;
  seeds: number[];
  classIl: { mean: number; std: number | null };
  taskIl: { mean: number; std: number | null };
  seconds: number;
}

function cells(records: RunRecord[]): Cell[] {
  return groupBy(records, (r) => `${r.config}\u0000${r.method}`).map((group) => ({
    config: group[0].config,
    method: group[0].method,
    seeds: group.map((r) => r.seed).sort((a, b) => a - b),
    classIl: meanStd(group.map((r) => 100 * r.classIl)),
    taskIl: meanStd(group.map((r) => 100 * r.taskIl)),
    seconds: meanStd(group.map((r) => r.seconds)).mean,
  }));
}

function entries(cell: Cell): ResultEntry[] {
  const published = PUBLISHED[cell.config]?.[cell.method];
  const buffer = BUFFER[cell.config];
  return (['class-il', 'task-il'] as const).map((scenario, k) => {
    const value = scenario === 'class-il' ? cell.classIl : cell.taskIl;
    return {
      benchmark: buffer === '—' ? 'seq-mnist' : `seq-mnist (buffer ${buffer})`,
      scenario,
      method: cell.method,
      metric: 'ACC',
      mean: round2(value.mean),
      std: value.std === null ? null : round2(value.std),
      seeds: cell.seeds,
      published: published ? published[k] : null,
      source: SOURCE,
      command: `${COMMAND} --configs ${cell.config} --methods ${cell.method} --seeds ${cell.seeds.join(',')}`,
    };
  });
}

async function writeResults(records: RunRecord[]): Promise<void> {
  const ours = cells(records);
  await mergeResultsJson(resultsJson, SOURCE, ours.flatMap(entries));
  const order = ['naive', 'joint', 'er', 'gem', 'agem', 'icarl', 'der', 'derpp', 'er-ace', 'gdumb'];
  const sorted = [...ours].sort(
    (a, b) =>
      CONFIGS.indexOf(a.config as (typeof CONFIGS)[number]) -
        CONFIGS.indexOf(b.config as (typeof CONFIGS)[number]) ||
      order.indexOf(a.method) - order.indexOf(b.method),
  );
  const show = (v: { mean: number; std: number | null }) =>
    `${v.mean.toFixed(2)}${v.std === null ? '' : ` ± ${v.std.toFixed(2)}`}`;
  const diff = (ours: number, published: number | undefined) =>
    published === undefined ? '—' : (ours - published).toFixed(2);
  const lines = [
    '| buffer | method | class-IL % (ours) | published | ours − published | task-IL % (ours) | published | ours − published | seeds | s per run |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of sorted) {
    const p = PUBLISHED[c.config]?.[c.method];
    lines.push(
      `| ${BUFFER[c.config]} | ${c.method} | ${show(c.classIl)} | ${p?.[0].toFixed(2) ?? '—'} | ${diff(c.classIl.mean, p?.[0])} | ${show(c.taskIl)} | ${p?.[1].toFixed(2) ?? '—'} | ${diff(c.taskIl.mean, p?.[1])} | ${c.seeds.join(', ')} | ${c.seconds.toFixed(1)} |`,
    );
  }
  await replaceGeneratedBlock(resultsMd, 'der-seq-mnist', 'scripts/reproduce-der-seq-mnist.ts', lines);
}

await runStudy<RunRecord>({
  folder: 'der-seq-mnist',
  known: CONFIGS,
  selection: args,
  runsFile,
  adjust: (config) =>
    smoke
      ? { ...config, benchmark: { ...config.benchmark, trainFraction: Number(args['train-fraction']) } }
      : config,
  record: (name, seed, result) =>
    Object.entries(result.summaries).map(([method, s]) => ({
      config: name,
      seed,
      method,
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
