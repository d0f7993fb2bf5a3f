import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { adam } from '../engine/optimizers/index.js';
import { gaussianClusters } from '../data/synthetic.js';
import { classSplit } from '../benchmarks/class-split.js';
import { multiHeadMlp } from '../models/mlp.js';
import { summarize } from '../metrics/index.js';
import { fit } from './template.js';
import { naive } from './naive.js';
import { lwf } from './lwf.js';
import type { Strategy } from './strategy.js';

await initEngine();

const stream = classSplit(
  gaussianClusters({
    numClasses: 6,
    samplesPerClass: 60,
    testSamplesPerClass: 40,
    dims: 4,
    spread: 5,
    seed: 7,
  }),
  { experiences: 3, seed: 7, scenario: 'task-il' },
);
const newModel = () => multiHeadMlp({ inputShape: [4], hiddenSizes: [16], numClasses: 6, heads: 3, seed: 1 });

function forgetting(strategy: Strategy): number {
  const model = newModel();
  const start = tf.memory().numTensors;
  const events = fit({
    ...strategy,
    stream,
    model,
    optimizer: () => adam({ learningRate: 0.01 }),
    epochs: 10,
    batchSize: 16,
    seed: 3,
  });
  strategy.plugins.forEach((p) => (p as { dispose?: () => void }).dispose?.());
  assert.equal(tf.memory().numTensors, start, `${strategy.name} leaks no tensors`);
  model.dispose();
  return summarize(events).forgetting;
}

describe('LwF', () => {
  it('forgets less than Naive on a task-IL stream, leaking no tensors', () => {
    const plain = forgetting(naive());
    const distilled = forgetting(lwf({ copyModel: newModel, alpha: 1, temperature: 2 }));
    assert.ok(plain > 0.05, `Naive forgetting ${plain}`);
    assert.ok(distilled < plain - 0.04, `LwF forgetting ${distilled} vs Naive ${plain}`);
  });
});
