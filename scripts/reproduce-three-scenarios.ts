/**
 * Reproduces van de Ven & Tolias 2019, "Three scenarios for continual learning"
 * (arXiv 1904.07734), Tables 4-5: the configs in examples/three-scenarios/, each for several
 * seeds, through the same runner as `unforget run`.
 *
 *   npx tsx scripts/reproduce-three-scenarios.ts [--configs a,b] [--seeds 0,1,2] [--methods naive,ewc]
 *
 * Every finished (config, seed, method) run is appended to docs/reproductions/three-scenarios.json
 * (per-seed accuracies) right away, and docs/results.json / the generated part of
 * docs/results.md are rewritten from all runs recorded so far, so an interrupted study loses
 * at most the run in progress; runs already recorded are skipped when the script is run again.
 * `--iterations N` (a quick smoke run) writes under --out-dir instead (default: a temp folder).
 */
import { runStudy, studyArguments, studyPaths, type StudyRecord } from './reproduction/study.js';
import {
  markdownTable,
  mergeResultsJson,
  replaceGeneratedBlock,
  type ResultEntry,
} from './reproduction/records.js';
import { byOrder, cellsOf, resultEntry } from './reproduction/cells.js';

const CONFIGS = [
  'split-mnist-task-il',
  'split-mnist-domain-il',
  'split-mnist-class-il',
  'permuted-mnist-domain-il',
] as const;

const SOURCE = 'van de Ven & Tolias 2019, Three scenarios for continual learning, arXiv 1904.07734';
/** Published % accuracy after the last task (Tables 4 and 5; iCaRL with a budget of 2000); MAS is not in them. */
const PUBLISHED: Record<string, Record<string, number>> = {
  'split-mnist-task-il': { naive: 87.19, ewc: 98.64, 'online-ewc': 99.12, si: 99.09, lwf: 99.57 },
  'split-mnist-domain-il': { naive: 59.21, ewc: 63.95, 'online-ewc': 64.32, si: 65.36, lwf: 71.5 },
  'split-mnist-class-il': {
    naive: 19.9,
    ewc: 20.01,
    'online-ewc': 19.96,
    si: 19.99,
    lwf: 23.85,
    icarl: 94.57,
  },
  'permuted-mnist-domain-il': { naive: 78.51, ewc: 94.31, 'online-ewc': 94.42, si: 95.33, lwf: 72.64 },
};
const TABLE: Record<string, string> = {
  'split-mnist-task-il': 'Table 4',
  'split-mnist-domain-il': 'Table 4',
  'split-mnist-class-il': 'Table 4',
  'permuted-mnist-domain-il': 'Table 5',
};

const args = studyArguments(CONFIGS, {
  iterations: { type: 'string' },
  'out-dir': { type: 'string' },
});

/** One strategy's result on one seed. */
interface RunRecord extends StudyRecord {
  benchmark: string;
  scenario: string;
  acc: number;
  forgetting: number;
  seconds: number;
  backend: string;
}

const smoke = args.iterations !== undefined;
const { runsFile, resultsJson, resultsMd } = studyPaths(
  'three-scenarios',
  smoke,
  args['out-dir'],
  'unforget-repro-',
);
const COMMAND = 'npx tsx scripts/reproduce-three-scenarios.ts';

/** The cells of this study, one per (config, method), from every recorded run. */
function cells(records: RunRecord[]): (ResultEntry & { config: string })[] {
  return cellsOf(records, { acc: (r) => 100 * r.acc }).map((cell) => {
    const { config, method, seeds } = cell;
    return {
      config,
      ...resultEntry({
        benchmark: cell.first.benchmark,
        scenario: cell.first.scenario,
        method,
        metric: 'ACC',
        value: cell.acc,
        seeds,
        published: PUBLISHED[config]?.[method] ?? null,
        source: `${SOURCE}, ${TABLE[config]}`,
        command: `${COMMAND} --configs ${config} --seeds ${seeds.join(',')}`,
      }),
    };
  });
}

async function writeResults(records: RunRecord[]): Promise<void> {
  const ours = cells(records);
  await mergeResultsJson(
    resultsJson,
    SOURCE,
    ours.map(({ config: _c, ...entry }) => entry),
  );
  const [byConfig, byMethod] = [
    byOrder(CONFIGS),
    byOrder(['naive', 'ewc', 'online-ewc', 'si', 'lwf', 'mas', 'icarl']),
  ];
  const sorted = [...ours].sort((a, b) => byConfig(a.config, b.config) || byMethod(a.method, b.method));
  const lines = markdownTable(
    ['benchmark', 'scenario', 'method', 'ACC % (ours, mean ± std)', 'seeds', 'published', 'ours − published'],
    sorted.map((c) => {
      const spread = c.std === null ? '' : ` ± ${c.std.toFixed(2)}`;
      const diff = c.published === null ? '' : (c.mean - c.published).toFixed(2);
      return [
        c.benchmark,
        c.scenario,
        c.method,
        `${c.mean.toFixed(2)}${spread}`,
        c.seeds.join(', '),
        c.published?.toFixed(2) ?? '—',
        diff,
      ];
    }),
  );
  await replaceGeneratedBlock(resultsMd, 'three-scenarios', 'scripts/reproduce-three-scenarios.ts', lines);
}

await runStudy<RunRecord>({
  folder: 'three-scenarios',
  known: CONFIGS,
  selection: args,
  runsFile,
  adjust: (config) =>
    smoke ? { ...config, training: { ...config.training, iterations: Number(args.iterations) } } : config,
  record: (name, seed, result) =>
    Object.entries(result.summaries).map(([method, s]) => ({
      config: name,
      benchmark: result.benchmark,
      scenario: result.scenario,
      seed,
      method,
      acc: s.acc,
      forgetting: s.forgetting,
      seconds: s.wallSeconds,
      backend: result.engine.backend,
    })),
  describe: (fresh) => fresh.map((r) => `${r.method} ${(100 * r.acc).toFixed(2)}`).join(', '),
  publish: writeResults,
});
process.stderr.write(`results: ${resultsJson}, ${resultsMd}\n`);
