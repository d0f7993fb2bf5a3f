/**
 * Test helper: a small task-IL stream hard enough that Naive forgets (Gaussian clusters with a
 * wide spread, 3 experiences), a multi-head model for it, and the average forgetting of a
 * strategy trained on it — asserting that the fit leaks no tensors.
 */
import assert from 'node:assert/strict';
import * as tf from '../../engine/tf.js';
import { adam } from '../../engine/optimizers/index.js';
import { gaussianClusters } from '../../data/synthetic.js';
import { classSplit } from '../../benchmarks/class-split.js';
import { multiHeadMlp } from '../../models/mlp.js';
import { summarize } from '../../metrics/index.js';
import { fit } from '../../training/template.js';
import type { Strategy } from '../../training/strategy.js';

export const stream = classSplit(
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

export const newModel = () =>
  multiHeadMlp({ inputShape: [4], hiddenSizes: [16], numClasses: 6, heads: 3, seed: 1 });

/** Average forgetting of `strategy` on `stream` (fit disposes the plugins' tensors at run end). */
export function forgetting(strategy: Strategy): number {
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
  assert.equal(tf.memory().numTensors, start, `${strategy.name} leaks no tensors`);
  model.dispose();
  return summarize(events).forgetting;
}
