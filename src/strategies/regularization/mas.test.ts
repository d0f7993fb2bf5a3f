import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { mlp } from '../../models/mlp.js';
import { naive } from '../baselines/naive.js';
import { forgetting, stream } from '../testing/task-il-forgetting.js';
import { masPlugin, mas } from './mas.js';

await initEngine();

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
