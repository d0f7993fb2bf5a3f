import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { mlp } from '../../models/mlp.js';
import { naive } from '../baselines/naive.js';
import { forgetting, stream } from '../testing/task-il-forgetting.js';
import { si, siPlugin } from './si.js';

await initEngine();

describe('SI', () => {
  it('accumulates -g * delta over a step (g: the gradient the template applied) and divides by delta^2 + xi', () => {
    const model = mlp({ inputShape: [1], hiddenSizes: [], numClasses: 2, seed: 0 });
    const [kernel, bias] = model.variables;
    kernel.assign(tf.tensor2d([[0, 0]]));
    bias.assign(tf.tensor1d([0, 0]));
    const batch = { x: Float32Array.of(2), y: Int32Array.of(0) };
    const trainingSet = { ...batch, sampleShape: [1] };
    const experience = { ...stream.experiences[0], train: trainingSet };
    const ctx = { stream, experience, trainingSet, model, activeClasses: undefined } as never;
    const plugin = siPlugin({ xi: 0.5 });
    plugin.onExperienceStart?.(ctx);
    const step = { ...(ctx as object), epoch: 0, step: 0, batch };
    const grads = [tf.tensor2d([[-1, 3]]), tf.tensor1d([0.25, 0])];
    plugin.onGradients?.({ ...step, grads } as never);
    grads.forEach((g) => g.dispose()); // the plugin must have kept its own copy
    kernel.assign(tf.tensor2d([[0.5, -0.5]])); // the step: delta = [0.5, -0.5] on the kernel, 0 on the bias
    plugin.onStepEnd?.({ ...step, loss: 0 } as never);
    plugin.onExperienceEnd?.(ctx);
    // w = -g * delta: kernel [0.5, 1.5], bias [0, 0]; Omega = w / (delta^2 + xi).
    const expected = [0.5 / 0.75, 1.5 / 0.75];
    const [omegaKernel, omegaBias] = plugin.importance.map((t) => Array.from(t.dataSync()));
    omegaKernel.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `${v} vs ${expected[i]}`));
    assert.deepEqual(omegaBias, [0, 0]);
    plugin.dispose();
    model.dispose();
  });

  it('forgets less than Naive on a task-IL stream, leaking no tensors', () => {
    const plain = forgetting(naive());
    const regularised = forgetting(si({ c: 1 }));
    assert.ok(plain > 0.05, `Naive forgetting ${plain}`);
    assert.ok(regularised < plain - 0.04, `SI forgetting ${regularised} vs Naive ${plain}`);
  });
});
