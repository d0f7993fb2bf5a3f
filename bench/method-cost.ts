/**
 * Training cost of each anti-forgetting method relative to Naive (issue 4's benchmark):
 * Split-MNIST task-IL, MLP 784-400-400 with a head per task, Adam 1e-3, batch 128.
 *
 *   npx tsx bench/method-cost.ts [--train-fraction 0.2] [--epochs 1] [--rounds 3]
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
import { multiHeadMlp } from '../src/models/mlp.js';
import { fit } from '../src/strategies/template.js';
import { createStrategy } from '../src/strategies/registry.js';
import type { TrainingEvent } from '../src/core/events.js';

const { values: args } = parseArgs({
  options: {
    'train-fraction': { type: 'string', default: '0.2' },
    epochs: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
  },
});

const METHODS = ['naive', 'ewc', 'online-ewc', 'si', 'mas', 'lwf'] as const;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const engine = await initEngine();
const stream = benchmarks
  .get('split-mnist')
  .build({ seed: 0, trainFraction: Number(args['train-fraction']), scenario: 'task-il' });
const modelOptions = {
  inputShape: stream.sampleShape,
  hiddenSizes: [400, 400],
  numClasses: stream.numClasses,
  heads: stream.experiences.length,
  seed: 0,
};

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
  for (const method of METHODS) {
    const model = multiHeadMlp(modelOptions);
    const strategy = createStrategy(method, { copyModel: () => multiHeadMlp(modelOptions) });
    const events = fit({
      ...strategy,
      stream,
      model,
      optimizer: () => adam({ learningRate: 1e-3 }),
      epochs: Number(args.epochs),
      batchSize: 128,
      seed: 0,
      evaluateBaseline: false,
    });
    model.dispose();
    const { train, after } = costs(events);
    (samples[method] ??= { train: [], after: [] }).train.push(train);
    samples[method].after.push(after);
    process.stderr.write(
      `round ${round + 1} ${method}: train ${train.toFixed(2)} s, after experiences ${after.toFixed(2)} s\n`,
    );
  }
}

const naiveTrain = median(samples.naive.train);
console.log(
  `Split-MNIST task-IL, MLP 784-400-400 x 5 heads, batch 128, ${args.epochs} epoch(s), train fraction ${args['train-fraction']}, ` +
    `backend ${engine.backend}; medians of ${args.rounds} rounds\n`,
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
