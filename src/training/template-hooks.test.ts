/** The template's hooks for memory methods: baseLoss, transformGradients, observeOnly, beforeEvaluation, evaluationScores. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { sgd } from '../engine/optimizers/index.js';
import { gaussianClusters } from '../data/synthetic.js';
import { classSplit } from '../benchmarks/class-split.js';
import type { EvaluationEvent, TrainingEvent } from '../core/events.js';
import { ConfigError } from '../core/errors.js';
import type { Classifier } from '../models/classifier.js';
import { mlp } from '../models/mlp.js';
import { summarize } from '../metrics/summary.js';
import type { Plugin } from './plugin.js';
import { fit, type FitOptions } from './template.js';
import { unionOfTrain } from '../benchmarks/stream.js';

await initEngine();

const data = gaussianClusters({
  numClasses: 4,
  samplesPerClass: 10,
  testSamplesPerClass: 5,
  dims: 3,
  seed: 2,
});
const stream = classSplit(data, { experiences: 2, seed: 1, scenario: 'class-il' });
const newModel = () => mlp({ inputShape: [3], hiddenSizes: [8], numClasses: 4, seed: 5 });

function train(plugins: Plugin[], options: Partial<FitOptions> & { model: Classifier }): TrainingEvent[] {
  return fit({
    stream,
    plugins,
    optimizer: () => sgd({ learningRate: 0.1 }),
    epochs: 2,
    batchSize: 8,
    seed: 9,
    ...options,
  });
}

const snapshot = (model: Classifier) => model.variables.map((v) => Array.from(v.dataSync()));
const evaluations = (events: TrainingEvent[]) =>
  events.filter((e): e is EvaluationEvent => e.type === 'evaluation');

describe('template hooks', () => {
  it('transformGradients replaces what the optimizer applies: zero gradients leave the model as it was', () => {
    const model = newModel();
    const before = snapshot(model);
    let applied = 0;
    const freeze: Plugin = {
      name: 'freeze',
      transformGradients: (ctx) => ctx.grads.map((g) => g && tf.zerosLike(g)),
      onGradients: (ctx) => {
        applied += ctx.grads.reduce((sum, g) => sum + (g ? tf.sum(tf.abs(g)).dataSync()[0] : 0), 0);
      },
    };
    const numTensors = tf.memory().numTensors;
    train([freeze], { model });
    assert.equal(tf.memory().numTensors, numTensors);
    assert.deepEqual(snapshot(model), before);
    assert.equal(applied, 0, 'onGradients sees the transformed gradients');
    model.dispose();
  });

  it('baseLoss replaces the cross-entropy: a zero base loss and no terms train nothing', () => {
    const model = newModel();
    const before = snapshot(model);
    const zero: Plugin = { name: 'zero', baseLoss: (ctx) => tf.mul(tf.sum(ctx.logits), 0) as tf.Scalar };
    const events = train([zero], { model });
    assert.deepEqual(snapshot(model), before);
    assert.ok(events.some((e) => e.type === 'epoch-end' && e.loss === 0));
    model.dispose();
  });

  it('refuses two plugins that both define baseLoss', () => {
    const model = newModel();
    const loss: Plugin = { name: 'a', baseLoss: (ctx) => tf.sum(ctx.logits) as tf.Scalar };
    assert.throws(() => train([loss, { ...loss, name: 'b' }], { model }), ConfigError);
    model.dispose();
  });

  it('observeOnly shows each batch once, without training, and beforeEvaluation runs before each evaluation', () => {
    const model = newModel();
    const before = snapshot(model);
    const seenLabels: number[] = [];
    const order: string[] = [];
    const observer: Plugin = {
      name: 'observer',
      observeOnly: true,
      onStepEnd: (ctx) => {
        assert.ok(Number.isNaN(ctx.loss));
        seenLabels.push(...ctx.batch.y);
      },
      beforeEvaluation: (ctx) => order.push(`before@${ctx.afterExperience}:${ctx.activeClasses?.join(',')}`),
    };
    const events = train([observer], {
      model,
      epochs: 3,
      onEvent: (e) => e.type === 'evaluation' && order.push(`evaluation@${e.afterExperience}`),
    });
    assert.deepEqual(snapshot(model), before);
    assert.equal(
      seenLabels.length,
      stream.experiences.reduce((n, e) => n + e.train.y.length, 0),
    );
    const first = stream.experiences[0].classes.join(',');
    assert.deepEqual(order, [
      'evaluation@-1',
      `before@0:${first}`,
      'evaluation@0',
      `before@1:${[...stream.experiences[0].classes, ...stream.experiences[1].classes].sort().join(',')}`,
      'evaluation@1',
    ]);
    assert.equal(evaluations(events).length, 3);
    model.dispose();
  });

  it('evaluationScores decide what evaluation predicts', () => {
    const model = newModel();
    // Scores that always say one class of experience 0: right on exactly that class's samples.
    const oracle = (label: number): Plugin => ({
      name: 'oracle',
      evaluationScores: (x) =>
        tf.oneHot(tf.fill([x.shape[0]], label, 'int32') as tf.Tensor1D, 4) as tf.Tensor2D,
    });
    const label = stream.experiences[0].classes[0];
    const events = train([oracle(label)], { model, epochs: 1 });
    const last = evaluations(events).at(-1)!;
    const hits = data.test.y.filter((y) => y === label).length;
    assert.equal(last.perExperience[0].correct, hits);
    assert.equal(last.perExperience[1].correct, 0);
    model.dispose();
  });

  it('class-IL evaluations carry the task-aware accuracy, never below the class-IL one', () => {
    const model = newModel();
    const summary = summarize(train([], { model, epochs: 5 }));
    assert.ok(summary.taskAwareAcc !== undefined);
    assert.ok(summary.taskAwareAcc >= summary.acc);
    assert.ok(summary.taskAwareAcc > 0.5);
    model.dispose();
  });

  it("task-IL: extra rows tagged with task ids are restricted to their own task's classes", () => {
    const taskIl = classSplit(data, { experiences: 2, seed: 1, scenario: 'task-il' });
    const [first, second] = taskIl.experiences;
    const model = newModel();
    const activeRows: number[][] = [];
    const replay: Plugin = {
      name: 'replay',
      // One row of experience 0 replayed with its task id while training on experience 1.
      extraBatch: (ctx) =>
        ctx.experience.index === 1
          ? {
              x: first.train.x.slice(0, 3),
              y: first.train.y.slice(0, 1),
              taskIds: Int32Array.of(first.taskId),
            }
          : null,
      lossTerms: (ctx) => {
        if (ctx.experience.index === 1 && ctx.step === 0) {
          const values = ctx.logits.arraySync();
          activeRows.push(...values.map((row) => row.flatMap((v, c) => (v > -1e8 ? [c] : []))));
        }
        return [];
      },
    };
    train([replay], { model, stream: taskIl, epochs: 1 });
    assert.deepEqual(activeRows[0], [...second.classes]);
    assert.deepEqual(activeRows[activeRows.length - 1], [...first.classes]);
    model.dispose();
  });

  it('rowTaskIds: each row of the loss context carries its task id, replayed rows their own', () => {
    const seen: number[][] = [];
    const replay: Plugin = {
      name: 'tagged-replay',
      extraBatch: (ctx) =>
        ctx.experience.index === 0
          ? null
          : { x: ctx.batch.x.slice(0, 3), y: ctx.batch.y.slice(0, 1), taskIds: Int32Array.of(7) },
      lossTerms: (ctx) => {
        seen.push(Array.from(ctx.rowTaskIds));
        return [];
      },
    };
    train([replay], { model: newModel(), epochs: 1 });
    // Experience 0 (task 0) has no replay; experience 1's batches end with the row tagged 7.
    const first = seen.filter((ids) => ids.every((t) => t === 0));
    const second = seen.filter((ids) => ids.at(-1) === 7 && ids.slice(0, -1).every((t) => t === 1));
    assert.ok(first.length > 0 && second.length > 0, JSON.stringify(seen));
    assert.equal(first.length + second.length, seen.length);
  });

  it('a training set that mixes tasks hands each row its own task id', () => {
    const taskIl = classSplit(data, { experiences: 2, seed: 1, scenario: 'task-il' });
    const seen = new Set<string>();
    const probe: Plugin = {
      name: 'probe',
      lossTerms: (ctx) => {
        ctx.rowTaskIds.forEach((t, r) => seen.add(`${t}:${ctx.batch.y[r]}`));
        return [];
      },
    };
    fit({
      stream: taskIl,
      model: newModel(),
      plugins: [probe],
      trainingSet: (s, i) => (i === 1 ? unionOfTrain(s, 1) : null),
      optimizer: () => sgd({ learningRate: 0.1 }),
      epochs: 1,
      batchSize: 8,
    });
    // Every class shows up with the task that holds it, and only with it.
    const expected = taskIl.experiences.flatMap((e) => e.classes.map((c) => `${e.taskId}:${c}`));
    assert.deepEqual([...seen].sort(), expected.sort());
  });

  it('metrics are emitted as method-metrics events after each experience, before its evaluation', () => {
    const events = train(
      [
        {
          name: 'counter',
          metrics: (ctx) => (ctx.afterExperience === 0 ? null : { after: ctx.afterExperience }),
        },
      ],
      { model: newModel(), epochs: 1 },
    );
    const kinds = events.map((e) => (e.type === 'method-metrics' ? `metrics:${e.values.after}` : e.type));
    const at = kinds.indexOf('metrics:1');
    assert.ok(at > 0, kinds.join(','));
    assert.equal(kinds.filter((k) => k.startsWith('metrics')).length, 1);
    assert.equal(kinds[at + 1], 'evaluation');
    assert.equal(kinds[at - 1], 'experience-end');
  });
});
