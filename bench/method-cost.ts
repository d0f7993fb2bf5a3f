/**
 * Training cost of each anti-forgetting method relative to Naive (issue 4's benchmark), on the
 * Split-MNIST protocol of van de Ven & Tolias as configured in
 * examples/three-scenarios/split-mnist-task-il.yaml (MLP 784-400-400-10, Adam 1e-3, batch 128,
 * 2000 iterations per task, each method with its configured hyperparameters).
 *
 *   npx tsx bench/method-cost.ts [--iterations 2000] [--rounds 3] [--config path]
 *
 * From each run's events: training time (sum of epoch times: the per-step cost, plugins'
 * loss terms and step hooks included) and the time spent after each experience's last
 * epoch (Fisher, importances, frozen copies: experience time minus epoch times). Methods run
 * interleaved, round by round; medians over rounds.
 */
import { parseArgs } from 'node:util';
import { initEngine } from '../src/engine/backend.js';
import { adam } from '../src/engine/optimizers/index.js';
import { benchmarks } from '../src/benchmarks/benchmarks.js';
import { models } from '../src/models/registry.js';
import { fit } from '../src/training/template.js';
import { createStrategy } from '../src/strategies/registry.js';
import { loadRunConfig, splitStrategyEntry } from '../src/cli/config.js';
import type { TrainingEvent } from '../src/core/events.js';

const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: 'examples/three-scenarios/split-mnist-task-il.yaml' },
    iterations: { type: 'string' },
    rounds: { type: 'string', default: '3' },
  },
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const engine = await initEngine();
const config = loadRunConfig(args.config);
const iterations = Number(args.iterations ?? config.training.iterations ?? 2000);
const stream = benchmarks.get('split-mnist').build({
  seed: 0,
  scenario: config.benchmark.scenario ?? 'task-il',
  classOrder: 'shuffled',
});
const { type, ...modelOptions } = config.model;
const makeModel = () =>
  models.get(type).build(modelOptions, {
    inputShape: stream.sampleShape,
    numClasses: stream.numClasses,
    experiences: stream.experiences.length,
    seed: 0,
  });
const METHODS = config.strategies.map((s) => s.name);

function costs(events: TrainingEvent[]): { train: number; after: number } {
  let train = 0;
  let experiences = 0;
  for (const e of events) {
    if (e.type === 'epoch-end') train += e.seconds;
    if (e.type === 'experience-end') experiences += e.seconds;
  }
  return { train, after: experiences - train };
}

const samples: Record<string, { train: number[]; after: number[] }> = {};
for (let round = 0; round < Number(args.rounds); round++) {
  for (const entry of config.strategies) {
    const { name } = entry;
    const model = makeModel();
    const strategy = createStrategy(name, { ...splitStrategyEntry(entry).options, copyModel: makeModel });
    const events = fit({
      ...strategy,
      stream,
      model,
      optimizer: () => adam({ learningRate: config.training.lr }),
      resetOptimizer: config.training.resetOptimizer,
      epochs: 1,
      iterations,
      batchSize: config.training.batchSize,
      seed: 0,
      evaluateBaseline: false,
    });
    model.dispose();
    const { train, after } = costs(events);
    (samples[name] ??= { train: [], after: [] }).train.push(train);
    samples[name].after.push(after);
    process.stderr.write(
      `round ${round + 1} ${name}: train ${train.toFixed(2)} s, after experiences ${after.toFixed(2)} s\n`,
    );
  }
}

const naiveTrain = median(samples.naive.train);
console.log(
  `Split-MNIST ${stream.scenario} (${args.config}), MLP 784-${(modelOptions.hiddenSizes as number[]).join('-')}-10, batch ${config.training.batchSize}, ` +
    `${iterations} iterations per task, backend ${engine.backend}; medians of ${args.rounds} rounds\n`,
);
console.log('| method | training s | x Naive | after-experience work s | share of experience time |');
console.log('|---|---|---|---|---|');
for (const method of METHODS) {
  const train = median(samples[method].train);
  const after = median(samples[method].after);
  console.log(
    `| ${method} | ${train.toFixed(2)} | ${(train / naiveTrain).toFixed(2)} | ${after.toFixed(2)} | ${((100 * after) / (train + after)).toFixed(0)}% |`,
  );
}
