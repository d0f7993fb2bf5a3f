/**
 * Replay composes with the regularisers: `er+lwf` and `derpp+ewc` train as one strategy (both
 * methods' contributions in every step) and keep far more than Naive on a small class-IL stream.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../src/engine/tf.js';
import { initEngine } from '../src/engine/backend.js';
import { sgd } from '../src/engine/optimizers/index.js';
import { gaussianClusters } from '../src/data/synthetic.js';
import { classSplit } from '../src/benchmarks/class-split.js';
import { mlp } from '../src/models/mlp.js';
import { summarize } from '../src/metrics/index.js';
import { fit } from '../src/strategies/template.js';
import { createStrategy } from '../src/strategies/registry.js';

await initEngine();

const stream = classSplit(
  gaussianClusters({
    numClasses: 8,
    samplesPerClass: 40,
    testSamplesPerClass: 30,
    dims: 4,
    spread: 0.3,
    seed: 3,
  }),
  { experiences: 4, seed: 1, scenario: 'class-il' },
);
const newModel = () => mlp({ inputShape: [4], hiddenSizes: [32], numClasses: 8, seed: 1 });

function run(name: string, options: Record<string, unknown> = {}) {
  const before = tf.memory().numTensors;
  const model = newModel();
  const strategy = createStrategy(name, { copyModel: newModel, ...options });
  const events = fit({
    ...strategy,
    stream,
    model,
    optimizer: () => sgd({ learningRate: 0.1 }),
    epochs: 5,
    batchSize: 10,
    seed: 2,
  });
  model.dispose();
  assert.equal(tf.memory().numTensors, before, `${name}: no tensor leak`);
  return { strategy, summary: summarize(events) };
}

describe('replay combined with regularisers', () => {
  const naive = run('naive').summary;
  for (const [name, options] of [
    ['er+lwf', { bufferSize: 80, alpha: 1 }],
    ['derpp+ewc', { bufferSize: 80, lambda: 10 }],
  ] as const) {
    it(`${name} has both methods' plugins and beats Naive's ACC by a wide margin`, () => {
      const { strategy, summary } = run(name, options);
      assert.deepEqual(
        strategy.plugins.map((p) => p.name),
        name.split('+'),
      );
      assert.ok(summary.acc > naive.acc + 0.3, `${name} ACC ${summary.acc} vs Naive ${naive.acc}`);
      assert.ok(summary.methodMemoryBytes! > 0);
    });
  }
});
