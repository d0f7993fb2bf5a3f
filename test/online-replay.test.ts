/**
 * The task-free methods on an online stream (batches of 10 seen once, blurry boundaries): each
 * keeps far more of the earlier classes than Naive, and the run still gives a full accuracy matrix.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../src/engine/tf.js';
import { initEngine } from '../src/engine/backend.js';
import { sgd } from '../src/engine/optimizers/index.js';
import { gaussianClusters } from '../src/data/synthetic.js';
import { classSplit } from '../src/benchmarks/class-split.js';
import { onlineStream } from '../src/benchmarks/online.js';
import { mlp } from '../src/models/mlp.js';
import { summarize } from '../src/metrics/index.js';
import { fit } from '../src/strategies/template.js';
import { createStrategy } from '../src/strategies/registry.js';
import { ConfigError } from '../src/core/errors.js';

await initEngine();

const offline = classSplit(
  gaussianClusters({
    numClasses: 8,
    samplesPerClass: 60,
    testSamplesPerClass: 30,
    dims: 4,
    spread: 0.3,
    seed: 3,
  }),
  { experiences: 4, seed: 1, scenario: 'class-il' },
);
const stream = onlineStream(offline, { batchSize: 10, blurry: 20, seed: 2 });
const newModel = () => mlp({ inputShape: [4], hiddenSizes: [32], numClasses: 8, seed: 1 });

function online(name: string, options: Record<string, unknown> = {}) {
  const before = tf.memory().numTensors;
  const model = newModel();
  const events = fit({
    ...createStrategy(name, { copyModel: newModel, ...options }),
    stream,
    model,
    optimizer: () => sgd({ learningRate: 0.1 }),
    epochs: 1,
    batchSize: 10,
    seed: 4,
  });
  model.dispose();
  assert.equal(tf.memory().numTensors, before, `${name}: no tensor leak`);
  return summarize(events);
}

describe('task-free methods on an online stream', () => {
  const naive = online('naive');

  it('Naive forgets, with a full 4 x 4 matrix', () => {
    assert.equal(naive.methodMemoryBytes, undefined);
    assert.equal(naive.matrix.length, 4);
    assert.ok(naive.matrix.every((row) => row.length === 4));
    assert.ok(naive.forgetting > 0.5, `forgetting ${naive.forgetting}`);
  });

  for (const [name, options] of [
    ['er', { bufferSize: 80 }],
    ['derpp', { bufferSize: 80, alpha: 0.5, beta: 1 }],
    ['er-ace', { bufferSize: 80 }],
    ['gdumb', { bufferSize: 80, epochs: 20, batchSize: 10, lr: 0.05 }],
  ] as const) {
    it(`${name} beats Naive's ACC by a wide margin and forgets less`, () => {
      const summary = online(name, options);
      assert.ok(summary.acc > naive.acc + 0.25, `${name} ACC ${summary.acc} vs Naive ${naive.acc}`);
      assert.ok(summary.forgetting < naive.forgetting, `${name} forgetting ${summary.forgetting}`);
      // 80 stored examples: 4 input floats, a label and a task id each (DER++ adds 8 logits).
      const perExample = 4 * (4 + 1 + 1 + (name === 'derpp' ? 8 : 0));
      assert.equal(summary.methodMemoryBytes, 80 * perExample);
    });
  }

  it('refuses methods that need experience boundaries', () => {
    assert.throws(() => online('ewc'), ConfigError);
    assert.throws(() => online('agem', { bufferSize: 40 }), ConfigError);
  });
});
