import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { adam, sgd } from '../../engine/optimizers/index.js';
import { summarize } from '../../metrics/index.js';
import { ewc, ewcPenalty, ewcPlugin } from '../regularization/ewc.js';
import { distillation, groupedDistillation, lwf, lwfPlugin } from '../regularization/lwf.js';
import { newModel, stream as taskIlStream } from '../testing/task-il-forgetting.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { createStrategy } from '../registry.js';
import { gaussianClusters } from '../../data/synthetic.js';
import { classSplit } from '../../benchmarks/class-split.js';
import { mlp } from '../../models/mlp.js';
import type { Classifier } from '../../models/classifier.js';
import type { MethodMetricsEvent } from '../../core/events.js';
import { fit } from '../../training/template.js';
import { assertResumesExactly } from '../testing/resume.js';
import type { ExperienceContext } from '../../training/plugin.js';
import {
  combineSignals,
  cosine,
  probeModel,
  smooth,
  taskImportance,
  type TaskImportancePlugin,
} from './task-importance.js';

await initEngine();

const near = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

// Class-IL, two experiences of two classes each, in 2 dimensions.
const stream = classSplit(
  gaussianClusters({
    numClasses: 4,
    samplesPerClass: 40,
    testSamplesPerClass: 10,
    dims: 2,
    spread: 0.5,
    seed: 2,
  }),
  { experiences: 2, seed: 2, scenario: 'class-il' },
);

/** Sets a linear model's kernel to 0 and its bias to `bias`: every row is predicted as the active class of largest bias. */
const predictAlways = (model: Classifier, bias: number[]) => {
  for (const v of model.variables) {
    v.assign(v.shape.length === 1 ? tf.tensor1d(bias) : tf.zerosLike(v));
  }
};

describe('task importance: the signals', () => {
  it('combines them as K softmax(s / T), s = a_f f + a_l (l / mean l - 1) - a_c c (hand-computed)', () => {
    const raw = combineSignals(
      [
        { forgetting: 0.2, loss: 1, conflict: 0 },
        { forgetting: 0, loss: 3, conflict: -0.5 },
      ],
      { forgetting: 1, loss: 0.5, conflict: 1 },
      0.5,
    );
    // s = [0.2 + 0.5 (0.5 - 1), 0.5 (1.5 - 1) + 0.5] = [-0.05, 0.75]; s / T = [-0.1, 1.5].
    near(raw[0], 2 / (1 + Math.exp(1.6)), 1e-12, 'task 0');
    near(raw[1], 2 / (1 + Math.exp(-1.6)), 1e-12, 'task 1');
    near(raw[0] + raw[1], 2, 1e-12, 'sum = number of tasks');
    assert.deepEqual(
      combineSignals(
        [0, 1, 2].map(() => ({ forgetting: 0.1, loss: 2, conflict: 0.3 })),
        { forgetting: 1, loss: 1, conflict: 1 },
        0.2,
      ),
      [1, 1, 1],
    );
  });
  it('smooths by w <- beta w + (1 - beta) raw, keeping the sum', () => {
    assert.deepEqual(smooth([1, 1], [0.5, 1.5], 0.5), [0.75, 1.25]);
    assert.deepEqual(smooth([0.4, 1.6], [1, 1], 0.25), [0.4 * 0.25 + 0.75, 1.6 * 0.25 + 0.75]);
  });
  it('takes the cosine of two gradients (negative: conflict)', () => {
    near(cosine([1, 0], [1, 1]), Math.SQRT1_2, 1e-12, 'cos 45 degrees');
    assert.equal(cosine([1, 2], [-2, 1]), 0);
    near(cosine([1, 2, 3], [-2, -4, -6]), -1, 1e-12, 'opposite');
    assert.equal(cosine([0, 0], [1, 1]), 0);
  });
  it('probes accuracy, loss and gradient: zero weights give loss ln(classes) and the softmax-minus-label gradient', () => {
    const model = mlp({ inputShape: [2], hiddenSizes: [], numClasses: 3, seed: 1 });
    predictAlways(model, [0, 0, 0]);
    const probe = { x: Float32Array.from([1, 2, -1, 0]), y: Int32Array.from([0, 1]), classes: undefined };
    const { accuracy, loss, gradient } = probeModel(model, probe, [2]);
    // Ties go to the first class: row 0 right, row 1 wrong.
    assert.equal(accuracy, 0.5);
    near(loss, Math.log(3), 1e-6, 'loss');
    // dL/db = mean(softmax - onehot) = mean([-2/3, 1/3, 1/3], [1/3, -2/3, 1/3]) = [-1/6, -1/6, 1/3].
    const bias = model.variables.findIndex((v) => v.shape.length === 1);
    const at = model.variables.slice(0, bias).reduce((n, v) => n + v.size, 0);
    near(gradient[at], -1 / 6, 1e-6, 'db0');
    near(gradient[at + 1], -1 / 6, 1e-6, 'db1');
    near(gradient[at + 2], 1 / 3, 1e-6, 'db2');
    model.dispose();
  });
  it('measures forgetting as the best held-out accuracy minus the current one after a known drop', () => {
    const estimator = taskImportance({ importanceHeldOut: 16, seed: 3 });
    const model = mlp({ inputShape: [2], hiddenSizes: [], numClasses: 4, seed: 1 });
    const train0 = estimator.trainingSet(stream, 0)!;
    estimator.trainingSet(stream, 1);
    assert.equal(
      train0.y.length,
      stream.experiences[0].train.y.length - 16,
      'the held-out rows are not trained on',
    );
    const ctx = (i: number): ExperienceContext => ({
      stream,
      experience: stream.experiences[i],
      trainingSet: estimator.trainingSet(stream, i)!,
      model,
      activeClasses: i === 0 ? [...stream.experiences[0].classes].sort() : [0, 1, 2, 3],
    });
    const [a, b] = stream.experiences[0].classes;
    const bias = (favoured: number) => [0, 1, 2, 3].map((c) => (c === favoured ? 5 : 0));
    predictAlways(model, bias(a));
    estimator.plugin.onExperienceStart!(ctx(0));
    estimator.plugin.onExperienceEnd!(ctx(0));
    // Always answering `a` is right exactly on task 0's held-out rows labelled a.
    const held = heldOutOf(estimator, 0);
    assert.ok([...held].every((c) => c === a || c === b));
    const shareOfA = held.filter((c) => c === a).length / held.length;
    assert.ok(shareOfA > 0.2 && shareOfA < 0.8);
    // Now the model answers a class of task 1 for everything: task 0's accuracy falls to 0.
    predictAlways(model, bias(stream.experiences[1].classes[0]));
    estimator.plugin.onExperienceStart!(ctx(1));
    estimator.plugin.onExperienceEnd!(ctx(1));
    const last = estimator.plugin.series().at(-1)!;
    assert.equal(last.signals[0].accuracy, 0);
    near(last.signals[0].forgetting, shareOfA, 1e-12, 'forgetting = accuracy before - after');
    const metrics = estimator.plugin.metrics!({
      stream,
      model,
      afterExperience: 1,
      activeClasses: [0, 1, 2, 3],
    })!;
    assert.equal(metrics[`forgetting/task0`], shareOfA);
    assert.equal(metrics.measurements, 1);
    // Task 1 enters at 1; with one old task measured the raw weight is 1 too.
    assert.deepEqual(estimator.plugin.importance(), [1, 1]);
    model.dispose();
  });
});

/** Task `i`'s held-out rows: the train set's rows the selector left out. */
/** Six Gaussian classes in three experiences, for whole runs. */
const threeExperiences = (scenario: 'class-il' | 'task-il') =>
  classSplit(
    gaussianClusters({
      numClasses: 6,
      samplesPerClass: 40,
      testSamplesPerClass: 10,
      dims: 4,
      spread: 1,
      seed: 5,
    }),
    { experiences: 3, seed: 5, scenario },
  );

function heldOutOf(estimator: ReturnType<typeof taskImportance>, i: number): number[] {
  const all = stream.experiences[i].train;
  const kept = estimator.trainingSet(stream, i)!;
  const counts = new Map<number, number>();
  all.y.forEach((c) => counts.set(c, (counts.get(c) ?? 0) + 1));
  kept.y.forEach((c) => counts.set(c, counts.get(c)! - 1));
  return [...counts].flatMap(([c, n]) => Array.from({ length: n }, () => c));
}

describe('task importance in a run', () => {
  const three = threeExperiences('class-il');
  it('reports a series every N steps and at experience ends, weights summing to the tasks seen, no tensor leak', () => {
    const estimator = taskImportance({ importanceHeldOut: 10, importanceEvery: 5 });
    const model = mlp({ inputShape: [4], hiddenSizes: [16], numClasses: 6, seed: 1 });
    const start = tf.memory().numTensors;
    const events = fit({
      stream: three,
      model,
      plugins: [estimator.plugin],
      trainingSet: estimator.trainingSet,
      optimizer: () => sgd({ learningRate: 0.1 }),
      epochs: 1,
      batchSize: 10,
    });
    assert.equal(tf.memory().numTensors, start, 'no tensor leak');
    // 80 rows - 10 held out = 70 per experience: 7 steps, one measurement at step 5 once a task is old.
    const series = estimator.plugin.series();
    assert.deepEqual(
      series.map((m) => [m.experience, m.step, m.importance.length]),
      [
        [1, 5, 1],
        [1, -1, 1],
        [2, 5, 2],
        [2, -1, 2],
      ],
    );
    const reported = events.filter((e): e is MethodMetricsEvent => e.type === 'method-metrics');
    assert.deepEqual(
      reported.map((e) => e.afterExperience),
      [0, 1, 2],
    );
    const last = reported.at(-1)!.values;
    near(last['importance/task0'] + last['importance/task1'] + last['importance/task2'], 3, 1e-9, 'sum');
    assert.equal(last.measurements, 4);
    assert.ok(Number.isFinite(last['conflict/task0']) && Math.abs(last['conflict/task0']) <= 1);
    const partSum = series[2].importance.reduce((a, b) => a + b, 0);
    near(partSum, 2, 1e-9, 'two old tasks');
    model.dispose();
  });
  it('hands out its estimate, or ones with weighting uniform while measuring the same estimate', () => {
    const run = (weighting: 'importance' | 'uniform') => {
      const estimator = taskImportance({ importanceHeldOut: 10, importanceEvery: 5, weighting });
      const model = mlp({ inputShape: [4], hiddenSizes: [16], numClasses: 6, seed: 1 });
      fit({
        stream: three,
        model,
        plugins: [estimator.plugin],
        trainingSet: estimator.trainingSet,
        optimizer: () => sgd({ learningRate: 0.1 }),
        epochs: 1,
        batchSize: 10,
      });
      model.dispose();
      return { importance: estimator.plugin.importance(), weights: estimator.weights() };
    };
    const used = run('importance');
    const uniform = run('uniform');
    assert.ok(
      used.importance.some((w) => Math.abs(w - 1) > 1e-3),
      `an estimate away from uniform: ${used.importance}`,
    );
    assert.deepEqual(used.weights, used.importance);
    assert.deepEqual(uniform.importance, used.importance, 'the same measurements');
    assert.deepEqual(uniform.weights, [1, 1, 1]);
  });
});

describe('per-task weights in EWC and LwF', () => {
  const runMatrix = (strategy: Strategy) => {
    const model = newModel();
    const start = tf.memory().numTensors;
    const events = fit({
      ...strategy,
      stream: taskIlStream,
      model,
      optimizer: () => adam({ learningRate: 0.01 }),
      epochs: 3,
      batchSize: 16,
      seed: 3,
    });
    assert.equal(tf.memory().numTensors, start, `${strategy.name} leaks no tensors`);
    model.dispose();
    return summarize(events).matrix;
  };
  it('with weights all 1, EWC and LwF give exactly the plain methods numbers', () => {
    const ones = () => [1, 1, 1];
    assert.deepEqual(runMatrix(ewc({ lambda: 100, taskWeights: ones })), runMatrix(ewc({ lambda: 100 })));
    assert.deepEqual(
      runMatrix(lwf({ copyModel: newModel, taskWeights: ones })),
      runMatrix(lwf({ copyModel: newModel })),
    );
  });
  it('multiplies EWC past experience k penalty by its weight, refolding when the weights move', () => {
    const model = mlp({ inputShape: [2], hiddenSizes: [], numClasses: 4, seed: 1 });
    let w = [1];
    const plugin = ewcPlugin({ lambda: 2, taskWeights: () => w });
    const ctx = (i: number): ExperienceContext => ({
      stream,
      experience: stream.experiences[i],
      trainingSet: stream.experiences[i].train,
      model,
      activeClasses: [0, 1, 2, 3],
    });
    plugin.onExperienceEnd!(ctx(0));
    model.variables.forEach((v) => v.assign(tf.add(v, 0.3)));
    w = [1.5, 0.5];
    plugin.onExperienceEnd!(ctx(1));
    model.variables.forEach((v) => v.assign(tf.mul(v, -0.7)));
    const value = () => tf.tidy(() => plugin.lossTerms!({ model } as never)[0].dataSync()[0]);
    const expected = () =>
      tf.tidy(() =>
        plugin
          .anchors()
          .reduce((sum, a, k) => sum + w[k] * ewcPenalty(model.variables, [a], 2).dataSync()[0], 0),
      );
    near(value(), expected(), 1e-4 * expected(), 'weights [1.5, 0.5]');
    w = [0.2, 1.8];
    plugin.onStepEnd!({} as never);
    near(value(), expected(), 1e-4 * expected(), 'weights [0.2, 1.8] after a step');
    assert.ok(
      Math.abs(value() - tf.tidy(() => ewcPenalty(model.variables, plugin.anchors(), 2).dataSync()[0])) >
        1e-3,
    );
    plugin.dispose();
    model.dispose();
  });
  it('weights LwF task-IL distillation per old task: (sum_k w_k KD_k) / K', () => {
    const old = tf.tensor2d([
      [1, -1, 5, 0.5],
      [0.5, 2, -3, 1],
    ]);
    const now = tf.tensor2d([
      [0.2, 0.1, 3, -1],
      [-1, 1.5, 0.7, 0.3],
    ]);
    const tasks = [{ classes: [0, 1] }, { classes: [2, 3] }];
    const kd = (cols: number[]) =>
      distillation(tf.gather(old, cols, 1), tf.gather(now, cols, 1), 2).dataSync()[0];
    const weighted = groupedDistillation(old, now, tasks, 2, [1.5, 0.5]).dataSync()[0];
    near(weighted, (1.5 * kd([0, 1]) + 0.5 * kd([2, 3])) / 2, 1e-5, 'grouped');
    // Class-IL: one weight per column.
    const columns = distillation(old, now, 2, tf.tensor1d([2, 2, 0, 0])).dataSync()[0];
    const plain = (w: number[]) => {
      const rows = [0, 1].map((r) => {
        const o = old.arraySync()[r].map((v) => v / 2);
        const n = now.arraySync()[r].map((v) => v / 2);
        const lse = (v: number[]) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0));
        const lo = o.map((v) => v - lse(o));
        const ln = n.map((v) => v - lse(n));
        return lo.reduce((s, l, c) => s + w[c] * Math.exp(l) * (l - ln[c]), 0);
      });
      return (4 * (rows[0] + rows[1])) / 2;
    };
    near(columns, plain([2, 2, 0, 0]), 1e-5, 'per-column weights');
    [old, now].forEach((t) => t.dispose());
  });
  it('refuses per-task weights where LwF has none (domain-IL) and for online EWC', () => {
    assert.throws(() => ewcPlugin({ mode: 'online', taskWeights: () => [] }), /separate mode/);
    const plugin = lwfPlugin({ copyModel: newModel, taskWeights: () => [] });
    const domain = { ...stream, scenario: 'domain-il' } as typeof stream;
    assert.throws(
      () => plugin.onExperienceStart!({ stream: domain } as ExperienceContext),
      /task-IL or class-IL/,
    );
  });
});

/** Each importance-weighted strategy's own options, measuring every 2 steps on 8 held-out rows. */
const optionsOf = (
  name: string,
  copyModel: () => Classifier,
  minibatchSize?: number,
): StrategyOptions & Record<string, unknown> => {
  const own: Record<string, StrategyOptions & Record<string, unknown>> = {
    'importance-ewc': { lambda: 100 },
    'importance-lwf': { copyModel },
    'importance-replay': { bufferSize: 30, ...(minibatchSize ? { minibatchSize } : {}) },
  };
  return { ...own[name], importanceEvery: 2, importanceHeldOut: 8 };
};

describe('importance-weighted strategies in a run', () => {
  const three = threeExperiences('task-il');
  const newMlp = () => mlp({ inputShape: [4], hiddenSizes: [16], numClasses: 6, seed: 1 });
  for (const name of ['importance-ewc', 'importance-lwf', 'importance-replay']) {
    it(`${name} trains with moving weights and leaks no tensors`, () => {
      const strategy = createStrategy(name, optionsOf(name, newMlp));
      const estimator = strategy.plugins[0] as TaskImportancePlugin;
      const model = newMlp();
      const start = tf.memory().numTensors;
      const events = fit({
        ...strategy,
        stream: three,
        model,
        optimizer: () => sgd({ learningRate: 0.1 }),
        epochs: 2,
        batchSize: 10,
      });
      assert.equal(tf.memory().numTensors, start, 'no tensor leak');
      model.dispose();
      assert.ok(estimator.series().some((m) => m.importance.some((w) => Math.abs(w - 1) > 1e-3)));
      assert.ok(summarize(events).acc > 0.5);
    });
  }
});

describe('importance-weighted strategies resumed from a checkpoint', () => {
  const three = threeExperiences('task-il');
  const newMlp = () => mlp({ inputShape: [4], hiddenSizes: [8], numClasses: 6, seed: 1 });
  for (const name of ['importance-ewc', 'importance-lwf', 'importance-replay']) {
    it(`${name}: measured every 2 steps, so the estimate (and EWC's fold) moves inside experiences`, () => {
      const strategy = () => createStrategy(name, optionsOf(name, newMlp, 6));
      // 72 training rows at batch 10: 8 steps an epoch, 16 an experience (asks 17 and 34 are boundaries).
      const resumed = assertResumesExactly(
        {
          strategy,
          stream: three,
          newModel: newMlp,
          optimizer: () => adam({ learningRate: 0.01 }),
          epochs: 2,
          batchSize: 10,
          seed: 3,
        },
        [5, 22, 34, 43],
      );
      assert.equal(resumed, 4);
    });
  }
});
