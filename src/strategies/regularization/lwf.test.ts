import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine } from '../../engine/backend.js';
import { adam } from '../../engine/optimizers/index.js';
import { gaussianClusters } from '../../data/synthetic.js';
import { classSplit } from '../../benchmarks/class-split.js';
import { mlp } from '../../models/mlp.js';
import type { Classifier } from '../../models/classifier.js';
import { fit } from '../../training/template.js';
import { naive } from '../baselines/naive.js';
import { forgetting, newModel, stream as taskIlStream } from '../testing/task-il-forgetting.js';
import { assertResumesExactly } from '../testing/resume.js';
import * as tf from '../../engine/tf.js';
import { maskLogits } from '../../training/active-classes.js';
import { distillation, groupedDistillation, lwf } from './lwf.js';

await initEngine();

describe('LwF', () => {
  it('forgets less than Naive on a task-IL stream, leaking no tensors', () => {
    const plain = forgetting(naive());
    const distilled = forgetting(lwf({ copyModel: newModel, alpha: 1, temperature: 2 }));
    assert.ok(plain > 0.05, `Naive forgetting ${plain}`);
    assert.ok(distilled < plain - 0.04, `LwF forgetting ${distilled} vs Naive ${plain}`);
  });
  it('distils old classes onto the softmax over every active output (class-IL, as van de Ven & Tolias)', () => {
    const t = 2;
    const old = [
      [1, -1, 5],
      [0.5, 2, -3],
    ];
    const now = [
      [0.2, 0.1, 3],
      [-1, 1.5, 0.7],
    ];
    // Classes 0 and 1 are old, class 2 is new: target softmax(old[:, :2] / T) padded with 0.
    const value = tf.tidy(
      () => distillation(maskLogits(tf.tensor2d(old), [0, 1]), tf.tensor2d(now), t).dataSync()[0],
    );
    const softmax = (row: number[]) => {
      const e = row.map((v) => Math.exp(v / t));
      const z = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / z);
    };
    const expected =
      (t *
        t *
        old
          .map((row, r) => {
            const p = softmax(row.slice(0, 2));
            const q = softmax(now[r]);
            return p.reduce((sum, pc, c) => sum + pc * Math.log(pc / q[c]), 0);
          })
          .reduce((a, b) => a + b, 0)) /
      old.length;
    assert.ok(Math.abs(value - expected) < 1e-5, `${value} vs ${expected}`);
  });

  it('distils every old task at once on a single head: the mean of the per-task distillations', () => {
    const tasks = [{ classes: [3, 7] }, { classes: [0, 5] }, { classes: [1, 2] }];
    const [grouped, perTask] = tf.tidy(() => {
      const old = tf.randomNormal([6, 8], 0, 2, 'float32', 1) as tf.Tensor2D;
      const now = tf.randomNormal([6, 8], 0, 2, 'float32', 2) as tf.Tensor2D;
      const columns = (x: tf.Tensor2D, c: number[]) =>
        tf.gather(x, tf.tensor1d(c, 'int32'), 1) as tf.Tensor2D;
      const each = tasks.map(
        ({ classes }) => distillation(columns(old, classes), columns(now, classes), 2).dataSync()[0],
      );
      return [groupedDistillation(old, now, tasks, 2).dataSync()[0], each.reduce((a, b) => a + b, 0) / 3];
    });
    assert.ok(Math.abs(grouped - perTask) < 1e-5, `${grouped} vs ${perTask}`);
  });

  // 4 classes in 2 class-IL experiences, and a small MLP for them.
  const smallClassIl = classSplit(
    gaussianClusters({ numClasses: 4, samplesPerClass: 20, testSamplesPerClass: 5, dims: 3, seed: 4 }),
    { experiences: 2, seed: 1, scenario: 'class-il' },
  );
  const make = () => mlp({ inputShape: [3], hiddenSizes: [8], numClasses: 4, seed: 2 });

  it('looks the frozen model up per experience instead of running it each step, with the same losses', () => {
    // A model that says it has a head per task gets no cache (the frozen model runs every step).
    const uncached = (): Classifier => ({ ...make(), multiHead: true });
    const losses = (newModel: () => Classifier) => {
      const model = newModel();
      let forwards = 0;
      const counting = (): Classifier => {
        const frozen = newModel();
        return { ...frozen, logits: (x, t) => (forwards++, frozen.logits(x, t)) };
      };
      const start = tf.memory().numTensors;
      const events = fit({
        ...lwf({ copyModel: counting }),
        stream: smallClassIl,
        model,
        optimizer: () => adam({ learningRate: 0.01 }),
        epochs: 3,
        batchSize: 8,
        evaluateBaseline: false,
      });
      assert.equal(tf.memory().numTensors, start);
      model.dispose();
      return { forwards, losses: events.flatMap((e) => (e.type === 'epoch-end' ? [e.loss] : [])) };
    };
    const withCache = losses(make);
    const without = losses(uncached);
    // Experience 1: 40 samples, 3 epochs of 5 steps: 15 forwards without the cache, 1 pass with it.
    assert.equal(without.forwards, 15);
    assert.equal(withCache.forwards, 1);
    withCache.losses.forEach((l, i) =>
      assert.ok(Math.abs(l - without.losses[i]) < 1e-5, `${l} vs ${without.losses[i]}`),
    );
  });

  it("classReduction 'mean' divides the distillation by the active classes (van de Ven & Tolias before May 2019)", () => {
    const lossesOf = (options: { alpha: number[]; classReduction?: 'sum' | 'mean' }) =>
      fit({
        ...lwf({ copyModel: make, ...options }),
        stream: smallClassIl,
        model: make(),
        optimizer: () => adam({ learningRate: 0.01 }),
        epochs: 2,
        batchSize: 8,
        evaluateBaseline: false,
      }).flatMap((e) => (e.type === 'epoch-end' ? [e.loss] : []));
    // Experience 1 trains on 4 active classes: mean with alpha 4 is sum with alpha 1 (x/4*4 is exact).
    const sum = lossesOf({ alpha: [0, 1] });
    const mean = lossesOf({ alpha: [0, 4], classReduction: 'mean' });
    const weaker = lossesOf({ alpha: [0, 1], classReduction: 'mean' });
    sum.forEach((l, i) => assert.ok(Math.abs(l - mean[i]) < 1e-6, `${l} vs ${mean[i]}`));
    assert.ok(weaker[3] < sum[3], `a quarter of the distillation: ${weaker[3]} vs ${sum[3]}`);
  });
});

describe('LwF checkpoints', () => {
  it('resumes exactly on a multi-head model (frozen heads run each step, no lookup table)', () => {
    // 120 rows an experience at batch 40: 3 steps an epoch, 6 an experience (ask 7 is a boundary).
    const resumed = assertResumesExactly(
      {
        strategy: () => lwf({ copyModel: newModel, alpha: [0, 1, 2] }),
        stream: taskIlStream,
        newModel,
        optimizer: () => adam({ learningRate: 0.01 }),
        epochs: 2,
        batchSize: 40,
        seed: 1,
      },
      [2, 7, 10, 17],
    );
    assert.equal(resumed, 4);
  });
});
