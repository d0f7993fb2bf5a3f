import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { adam } from '../engine/optimizers/index.js';
import { gaussianClusters } from '../data/synthetic.js';
import { classSplit } from '../benchmarks/class-split.js';
import { mlp, multiHeadMlp } from '../models/mlp.js';
import { summarize } from '../metrics/index.js';
import { fit } from './template.js';
import { naive } from './naive.js';
import { masPlugin, mas } from './mas.js';
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

describe('MAS', () => {
  it('importance of a linear model is mean |2 f(x) x| (weights) and mean |2 f(x)| (bias)', () => {
    const model = mlp({ inputShape: [2], hiddenSizes: [], numClasses: 1, seed: 0 });
    const [kernel, bias] = model.variables;
    kernel.assign(tf.tensor2d([[0.5], [-1]]));
    bias.assign(tf.tensor1d([0.25]));
    const xs = [
      [1, 2],
      [-3, 0.5],
    ];
    const trainingSet = { x: Float32Array.from(xs.flat()), y: Int32Array.of(0, 0), sampleShape: [2] };
    const plugin = masPlugin();
    const experience = { ...stream.experiences[0], train: trainingSet };
    plugin.onExperienceEnd?.({ stream, experience, trainingSet, model } as never);
    const f = xs.map(([a, b]) => 0.5 * a - b + 0.25);
    const expectKernel = [0, 1].map((i) => xs.reduce((s, x, k) => s + Math.abs(2 * f[k] * x[i]), 0) / 2);
    const expectBias = f.reduce((s, v) => s + Math.abs(2 * v), 0) / 2;
    const [omegaKernel, omegaBias] = plugin.importance.map((t) => Array.from(t.dataSync()));
    omegaKernel.forEach((v, i) =>
      assert.ok(Math.abs(v - expectKernel[i]) < 1e-5, `${v} vs ${expectKernel[i]}`),
    );
    assert.ok(Math.abs(omegaBias[0] - expectBias) < 1e-5, `${omegaBias[0]} vs ${expectBias}`);
    plugin.dispose();
    model.dispose();
  });

  it('forgets less than Naive on a task-IL stream, leaking no tensors', () => {
    const plain = forgetting(naive());
    const regularised = forgetting(mas({ lambda: 10 }));
    assert.ok(plain > 0.05, `Naive forgetting ${plain}`);
    assert.ok(regularised < plain - 0.04, `MAS forgetting ${regularised} vs Naive ${plain}`);
  });
});
