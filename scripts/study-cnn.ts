/**
 * The CNN on Split-Fashion-MNIST, class-incremental: Naive, ER-500, DER++-500 and Joint over
 * several seeds (examples/cnn/), through the same runner as `unforget run`.
 *
 *   npx tsx scripts/study-cnn.ts [--configs split-fashion-mnist] [--seeds 0,1,2] [--methods er]
 *
 * Records go to docs/reproductions/cnn.json; docs/results.json and the generated block of
 * docs/results.md are rewritten from them. `--train-fraction x` writes under --out-dir instead.
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

const CONFIGS = ['split-fashion-mnist'] as const;
const METHODS = ['naive', 'er', 'derpp', 'joint'];
const SOURCE = 'unforget measurement (no published value for this network and protocol)';
const COMMAND = 'npx tsx scripts/study-cnn.ts';

const args = studyArguments(CONFIGS, trainFractionOptions);

interface RunRecord extends StudyRecord {
  acc: number;
  forgetting: number;
  taskAware: number;
  seconds: number;
  samplesPerSecond: number;
  backend: string;
}

const smoke = args['train-fraction'] !== undefined;
const { runsFile, resultsJson, resultsMd } = studyPaths('cnn', smoke, args['out-dir'], 'unforget-cnn-');

const cells = (records: RunRecord[]) =>
  cellsOf(records, {
    acc: (r) => 100 * r.acc,
    forgetting: (r) => 100 * r.forgetting,
    taskAware: (r) => 100 * r.taskAware,
    samplesPerSecond: (r) => r.samplesPerSecond,
  });
type Cell = ReturnType<typeof cells>[number];
const label = (method: string) => (method === 'er' || method === 'derpp' ? `${method}-500` : method);

function entries(cell: Cell): ResultEntry[] {
  const entry = (scenario: string, metric: string, value: Cell['acc']) =>
    resultEntry({
      benchmark: 'split-fashion-mnist (cnn)',
      scenario,
      method: label(cell.method),
      metric,
      value,
      seeds: cell.seeds,
      published: null,
      source: SOURCE,
      command: cellCommand(COMMAND, cell),
    });
  return [
    entry('class-il', 'ACC', cell.acc),
    entry('class-il', 'forgetting', cell.forgetting),
    entry('task-il', 'ACC', cell.taskAware),
  ];
}

async function writeResults(records: RunRecord[]): Promise<void> {
  const ours = cells(records);
  await mergeResultsJson(resultsJson, SOURCE, ours.flatMap(entries));
  const byMethod = byOrder(METHODS);
  const sorted = [...ours].sort((a, b) => byMethod(a.method, b.method));
  const lines = markdownTable(
    [
      'method',
      'class-IL ACC %',
      'forgetting %',
      'task-aware ACC %',
      'training samples/s',
      'seeds',
      's per run',
    ],
    sorted.map((c) => [
      label(c.method),
      show(c.acc),
      show(c.forgetting),
      show(c.taskAware),
      c.samplesPerSecond.mean.toFixed(0),
      c.seeds.join(', '),
      c.seconds.toFixed(0),
    ]),
  );
  await replaceGeneratedBlock(resultsMd, 'cnn', 'scripts/study-cnn.ts', lines);
}

await runStudy<RunRecord>({
  folder: 'cnn',
  known: CONFIGS,
  selection: args,
  runsFile,
  adjust: withTrainFraction(args['train-fraction']),
  record: (name, seed, result) =>
    perStrategy(name, seed, result, (s) => ({
      acc: s.acc,
      forgetting: s.forgetting,
      taskAware: s.taskAwareAcc ?? NaN,
      seconds: s.wallSeconds,
      samplesPerSecond: s.trainSamplesPerSecond,
      backend: result.engine.backend,
    })),
  describe: (fresh) => fresh.map((r) => `${label(r.method)} ACC ${(100 * r.acc).toFixed(2)}`).join(', '),
  publish: writeResults,
});
process.stderr.write(`results: ${resultsJson}, ${resultsMd}\n`);
