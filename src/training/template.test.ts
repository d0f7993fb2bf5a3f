import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { sgd } from '../engine/optimizers/index.js';
import { gaussianClusters } from '../data/synthetic.js';
import { classSplit } from '../benchmarks/class-split.js';
import type { EvaluationEvent, TrainingEvent } from '../core/events.js';
import type { Classifier } from '../models/classifier.js';
import { mlp } from '../models/mlp.js';
import type { Plugin } from './plugin.js';
import { fit, type FitOptions } from './template.js';
import { naive } from '../strategies/baselines/naive.js';
import { joint } from '../strategies/baselines/joint.js';
import { createStrategy } from '../strategies/registry.js';

await initEngine();

// 4 classes, 2 experiences of 2 classes; 10 train and 5 test samples per class.
const data = gaussianClusters({
  numClasses: 4,
  samplesPerClass: 10,
  testSamplesPerClass: 5,
  dims: 3,
  seed: 2,
});
const classIl = classSplit(data, { experiences: 2, seed: 1, scenario: 'class-il' });
const taskIl = classSplit(data, { experiences: 2, seed: 1, scenario: 'task-il' });

const newModel = () => mlp({ inputShape: [3], hiddenSizes: [8], numClasses: 4, seed: 5 });

function train(options: Partial<FitOptions> & { model: Classifier }): TrainingEvent[] {
  return fit({
    ...naive(),
    stream: classIl,
    optimizer: () => sgd({ learningRate: 0.1 }),
    epochs: 2,
    batchSize: 8,
    seed: 9,
    ...options,
  });
}

const evaluations = (events: TrainingEvent[]) =>
  events.filter((e): e is EvaluationEvent => e.type === 'evaluation');

/** Records the task id of every forward pass of a model. */
function spy(model: Classifier, seen: (number | undefined)[]): Classifier {
  return { ...model, logits: (x, taskId) => (seen.push(taskId), model.logits(x, taskId)) };
}

describe('fit', () => {
  it('emits run, experience, epoch and evaluation events in order, with their numbers', () => {
    const model = newModel();
    const events = train({ model });
    model.dispose();
    assert.deepEqual(
      events.map((e) => (e.type === 'evaluation' ? `evaluation@${e.afterExperience}` : e.type)),
      [
        'run-start',
        'evaluation@-1',
        'experience-start',
        'epoch-end',
        'epoch-end',
        'experience-end',
        'evaluation@0',
        'experience-start',
        'epoch-end',
        'epoch-end',
        'experience-end',
        'evaluation@1',
        'run-end',
      ],
    );
    assert.deepEqual(events[0], {
      type: 'run-start',
      strategy: 'naive',
      stream: { numExperiences: 2, scenario: 'class-il' },
    });
    assert.deepEqual(events[7], { type: 'experience-start', experience: 1, classes: [2, 3] });
    const epoch = events[3];
    assert.ok(epoch.type === 'epoch-end');
    assert.equal(epoch.samples, 20, 'experience 0: 2 classes x 10 samples');
    assert.ok(epoch.loss > 0 && Number.isFinite(epoch.loss) && epoch.seconds >= 0);
    const end = events[5];
    assert.ok(end.type === 'experience-end' && end.samples === 40, '2 epochs x 20 samples');
    const afterFirst = evaluations(events)[1];
    assert.deepEqual(
      afterFirst.perExperience.map((p) => [p.experience, p.total]),
      [
        [0, 10],
        [1, 10],
      ],
    );
    for (const p of afterFirst.perExperience) assert.equal(p.accuracy, p.correct / p.total);
    assert.deepEqual(Object.keys(afterFirst.perClass ?? {}), ['0', '1', '2', '3']);
    // Per-class accuracy averages (equal class sizes) to the per-experience accuracy.
    const perClass = afterFirst.perClass ?? {};
    assert.equal((perClass[0] + perClass[1]) / 2, afterFirst.perExperience[0].accuracy);
  });

  it('skips the baseline when asked, and frees every tensor it made', () => {
    const model = newModel();
    const start = tf.memory().numTensors;
    const events = train({ model, evaluateBaseline: false, evalBatchSize: 3 });
    assert.equal(tf.memory().numTensors, start);
    assert.deepEqual(
      evaluations(events).map((e) => e.afterExperience),
      [0, 1],
    );
    model.dispose();
  });

  it('is deterministic: the same seeds give the same accuracies and losses', () => {
    const runs = [0, 1].map(() => {
      const model = newModel();
      const events = train({ model, epochs: 3 });
      model.dispose();
      return events.flatMap((e) =>
        e.type === 'evaluation'
          ? e.perExperience.map((p) => p.accuracy)
          : e.type === 'epoch-end'
            ? [e.loss]
            : [],
      );
    });
    assert.deepEqual(runs[0], runs[1]);
    const model = newModel();
    const other = train({ model, epochs: 3, seed: 10 }).flatMap((e) =>
      e.type === 'epoch-end' ? [e.loss] : [],
    );
    model.dispose();
    assert.notDeepEqual(other, runs[0].slice(0, other.length), 'another batch order, other losses');
  });

  it("adds a plugin's loss terms to the loss it minimises", () => {
    // A constant term shifts the reported loss but not the gradient; a weight penalty changes training.
    const constant: Plugin = { name: 'constant', lossTerms: () => [tf.scalar(5)] };
    const shrink: Plugin = {
      name: 'shrink',
      lossTerms: (ctx) => [tf.addN(ctx.model.variables.map((v) => tf.sum(tf.square(v)))) as tf.Scalar],
    };
    const losses = (plugins: Plugin[]) => {
      const model = newModel();
      const events = train({ model, plugins });
      const weightNorm = tf.tidy(
        () => tf.addN(model.variables.map((v) => tf.sum(tf.square(v)))).dataSync()[0],
      );
      model.dispose();
      return { loss: events.flatMap((e) => (e.type === 'epoch-end' ? [e.loss] : [])), weightNorm };
    };
    const plain = losses([]);
    const shifted = losses([constant]);
    plain.loss.forEach((l, i) =>
      assert.ok(Math.abs(shifted.loss[i] - l - 5) < 1e-4, `${shifted.loss[i]} vs ${l}`),
    );
    assert.equal(shifted.weightNorm, plain.weightNorm);
    const shrunk = losses([shrink]);
    assert.ok(shrunk.weightNorm < plain.weightNorm / 2, `${shrunk.weightNorm} vs ${plain.weightNorm}`);
  });

  it('calls hooks in start/end pairs and trains on extra batches', () => {
    const calls: string[] = [];
    let steps = 0;
    const probe: Plugin = {
      name: 'probe',
      onExperienceStart: (ctx) => calls.push(`exp-start ${ctx.experience.index}`),
      onExperienceEnd: (ctx) => calls.push(`exp-end ${ctx.experience.index}`),
      onEpochStart: (ctx) => calls.push(`epoch-start ${ctx.epoch}`),
      onEpochEnd: (ctx) => calls.push(`epoch-end ${ctx.epoch}`),
      onStepEnd: (ctx) => {
        assert.ok(ctx.loss > 0 && ctx.batch.y.length <= 8);
        steps++;
      },
      // Two samples of class 0 replayed with every batch.
      extraBatch: () => ({ x: classIl.experiences[0].train.x.slice(0, 6), y: Int32Array.of(0, 0) }),
    };
    const model = newModel();
    const events = train({ model, plugins: [probe], epochs: 1 });
    model.dispose();
    assert.deepEqual(calls, [
      'exp-start 0',
      'epoch-start 0',
      'epoch-end 0',
      'exp-end 0',
      'exp-start 1',
      'epoch-start 0',
      'epoch-end 0',
      'exp-end 1',
    ]);
    assert.equal(steps, 6, '20 samples in batches of 8: 3 steps per experience');
    const epochs = events.filter((e) => e.type === 'epoch-end');
    assert.deepEqual(
      epochs.map((e) => e.samples),
      [26, 26],
      '20 samples + 3 steps x 2 replayed',
    );
  });

  it('gives the model the task id at test time only in task-IL', () => {
    for (const [stream, expected] of [
      [classIl, [undefined]],
      [taskIl, [0, 1]],
    ] as const) {
      const seen: (number | undefined)[] = [];
      const model = newModel();
      train({ model: spy(model, seen), stream, epochs: 1, evaluateBaseline: false });
      model.dispose();
      // Forward passes: 3 training steps of experience 0 (task 0), then evaluation on both experiences, then experience 1.
      const evalAfterFirst = seen.slice(3, 5);
      assert.deepEqual([...new Set(evalAfterFirst)], [...expected]);
      assert.deepEqual(seen.slice(0, 3), [0, 0, 0], 'training sees the task id');
    }
  });

  it('runs Joint as one training, then T identical evaluations', () => {
    const model = newModel();
    const events = train({ ...joint(), model });
    model.dispose();
    const ends = events.filter((e) => e.type === 'experience-end');
    assert.deepEqual(
      ends.map((e) => e.samples),
      [80, 0],
      'experience 0 trains on all 40 samples for 2 epochs',
    );
    const [, first, second] = evaluations(events);
    assert.deepEqual(first.perExperience, second.perExperience);
    assert.equal(events[0].type === 'run-start' && events[0].strategy, 'joint');
  });

  it('with `iterations`, runs that many steps per experience over reshuffled passes', () => {
    const model = newModel();
    const steps: number[] = [];
    const counter: Plugin = { name: 'count', onStepEnd: (ctx) => steps.push(ctx.experience.index) };
    // 20 samples per experience, batch 8: passes of 3 steps (8, 8, 4); 7 steps = 2 passes + 1 step.
    const events = train({ model, plugins: [counter], iterations: 7, epochs: 1 });
    model.dispose();
    assert.deepEqual(steps, [...Array(7).fill(0), ...Array(7).fill(1)]);
    const epochEnds = events.filter((e) => e.type === 'epoch-end' && e.experience === 0);
    assert.deepEqual(
      epochEnds.map((e) => e.type === 'epoch-end' && e.samples),
      [20, 20, 8],
    );
    assert.throws(() => train({ model, iterations: 0 }), /iterations: expected a positive integer, got 0/);
  });

  it("with `dropLast`, skips each pass's partial batch: every step a full batch", () => {
    const model = newModel();
    const sizes: number[] = [];
    const counter: Plugin = { name: 'count', onStepEnd: (ctx) => sizes.push(ctx.batch.y.length) };
    // 20 samples per experience, batch 8: passes of 2 full steps (the 4 left over are dropped).
    const events = train({ model, plugins: [counter], iterations: 5, epochs: 1, dropLast: true });
    assert.deepEqual(sizes, Array(10).fill(8));
    const epochEnds = events.filter((e) => e.type === 'epoch-end' && e.experience === 0);
    assert.deepEqual(
      epochEnds.map((e) => e.type === 'epoch-end' && e.samples),
      [16, 16, 8],
    );
    // With epochs: one pass of 2 steps per epoch; without dropLast the pass has 3 (8, 8, 4).
    sizes.length = 0;
    train({ model, plugins: [counter], epochs: 1, dropLast: true });
    assert.deepEqual(sizes, [8, 8, 8, 8]);
    sizes.length = 0;
    train({ model, plugins: [counter], epochs: 1, dropLast: false });
    assert.deepEqual(sizes, [8, 8, 4, 8, 8, 4]);
    // Fewer samples than one batch would drop everything: refused.
    assert.throws(
      () => train({ model, dropLast: true, batchSize: 32, iterations: 3 }),
      /dropLast: experience 0 has 20 training samples, fewer than one batch of 32/,
    );
    model.dispose();
  });

  it('makes one optimizer per experience, or one for the run with resetOptimizer: false', () => {
    for (const [resetOptimizer, expected] of [
      [undefined, 2],
      [false, 1],
    ] as const) {
      const model = newModel();
      let made = 0;
      train({ model, resetOptimizer, optimizer: () => (made++, sgd({ learningRate: 0.1 })) });
      model.dispose();
      assert.equal(made, expected);
    }
  });

  it('hands plugins the gradient the optimizer applies', () => {
    const model = newModel();
    const values = () => model.variables.map((v) => Array.from(v.dataSync()));
    let before: number[][] = [];
    let grads: number[][] = [];
    let checked = 0;
    const probe: Plugin = {
      name: 'probe',
      onGradients: (ctx) => {
        before = values();
        grads = ctx.grads.map((g) => Array.from(g!.dataSync()));
      },
      // Plain SGD: theta_after = theta_before - lr * g.
      onStepEnd: () => {
        values().forEach((after, i) =>
          after.forEach((v, k) => assert.ok(Math.abs(before[i][k] - 0.1 * grads[i][k] - v) < 1e-6)),
        );
        assert.ok(grads.some((g) => g.some((x) => x !== 0)));
        checked++;
      },
    };
    train({ model, plugins: [probe], iterations: 2 });
    assert.equal(checked, 4);
    model.dispose();
  });

  it("restricts outputs to the active classes: seen so far in class-IL, the task's in task-IL", () => {
    const logitsSeen: number[][] = [];
    const probe: Plugin = {
      name: 'probe',
      lossTerms: (ctx) => {
        logitsSeen.push(Array.from(ctx.logits.dataSync().slice(0, 4)));
        return [];
      },
    };
    for (const [stream, activeAtEnd] of [
      [classIl, 4],
      [taskIl, 2],
    ] as const) {
      logitsSeen.length = 0;
      const model = newModel();
      const events = train({ model, stream, plugins: [probe], epochs: 1 });
      const masked = (row: number[]) => row.filter((v) => v < -1e8).length;
      assert.equal(masked(logitsSeen[0]), 2, 'experience 0: 2 of 4 classes active');
      assert.equal(masked(logitsSeen[logitsSeen.length - 1]), 4 - activeAtEnd);
      // After experience 0, class-IL predicts only its 2 classes: 0% on experience 1's test set.
      const afterFirst = evaluations(events).find((e) => e.afterExperience === 0)!;
      if (stream === classIl) assert.equal(afterFirst.perExperience[1].accuracy, 0);
      // With every unit active nothing is masked.
      logitsSeen.length = 0;
      train({ model, stream, plugins: [probe], epochs: 1, activeOutputs: 'all' });
      assert.ok(logitsSeen.every((row) => masked(row) === 0));
      // `evaluation`: every unit trained, yet predictions stay among the seen (or the task's) classes.
      logitsSeen.length = 0;
      const fresh = newModel();
      const mammoth = train({
        model: fresh,
        stream,
        plugins: [probe],
        epochs: 1,
        activeOutputs: 'evaluation',
      });
      assert.ok(logitsSeen.every((row) => masked(row) === 0));
      const first = evaluations(mammoth).find((e) => e.afterExperience === 0)!;
      if (stream === classIl) assert.equal(first.perExperience[1].accuracy, 0);
      fresh.dispose();
      model.dispose();
    }
  });

  it('refuses bad options and unknown strategies, naming the field', () => {
    const model = newModel();
    assert.throws(() => train({ model, epochs: 0 }), /epochs: expected a positive integer, got 0/);
    assert.throws(() => train({ model, batchSize: 1.5 }), /batchSize: expected a positive integer/);
    const wide = mlp({ inputShape: [3], hiddenSizes: [], numClasses: 5 });
    assert.throws(() => train({ model: wide }), /model: expected 4 output classes/);
    assert.throws(
      () => createStrategy('ewc2'),
      /^ConfigError: strategy: unknown strategy "ewc2"; did you mean ewc\? \(known: naive, cumulative, joint, ewc, online-ewc, .*\)$/,
    );
    assert.equal(createStrategy('cumulative').trainingSet?.(classIl, 1)?.y.length, 40);
    [model, wide].forEach((m) => m.dispose());
  });
});
