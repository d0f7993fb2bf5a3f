/**
 * The Learner, fed a class-incremental stream batch by batch as a live application would: it
 * trains with the template's one step (the same weights as `fit` on the same batches), forgets
 * less with ER than with Naive, consolidates at `endTask` for EWC, LwF and iCaRL, refuses what it
 * cannot honour, and a restored learner goes on exactly as the saved one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { adam, sgd } from '../engine/optimizers/index.js';
import { deliver, onlineStream } from '../benchmarks/online.js';
import { ConfigError } from '../core/errors.js';
import { decodeCheckpoint, encodeCheckpoint } from '../checkpoint/file-format.js';
import { sixClusterMlp, sixClusterStream, sixClusterTest } from './testing/six-clusters.js';
import { modelWeights, type Classifier } from '../models/classifier.js';
import { naive } from '../strategies/baselines/naive.js';
import { joint } from '../strategies/baselines/joint.js';
import { er } from '../strategies/replay/er.js';
import { derpp } from '../strategies/replay/derpp.js';
import { agem } from '../strategies/replay/agem.js';
import { gdumb } from '../strategies/replay/gdumb.js';
import { icarl } from '../strategies/replay/icarl.js';
import { ewc } from '../strategies/regularization/ewc.js';
import { lwf } from '../strategies/regularization/lwf.js';
import { fit } from './template.js';
import { Learner, type LearnerOptions } from './learner.js';
import type { Strategy } from './strategy.js';
import { matchRows } from '../memory/forget.js';

const createLearner = (options: LearnerOptions) => new Learner(options);

await initEngine();

const stream = sixClusterStream;
const newModel = () => sixClusterMlp();
const test = sixClusterTest;

/** The stream's tasks in batches of 10, shuffled within each task (the same order every time). */
function* batches(passes = 3): Generator<{ x: Float32Array; y: Int32Array; task: number; last: boolean }> {
  for (const e of stream.experiences) {
    const n = e.train.y.length;
    for (let pass = 0; pass < passes; pass++) {
      for (let start = 0; start < n; start += 10) {
        const end = Math.min(start + 10, n);
        const order = Array.from({ length: end - start }, (_, k) => (start + k * 7 + pass * 3) % n);
        yield {
          x: Float32Array.from(order.flatMap((j) => [...e.train.x.subarray(j * 8, j * 8 + 8)])),
          y: Int32Array.from(order.map((j) => e.train.y[j])),
          task: e.index,
          last: pass === passes - 1 && end === n,
        };
      }
    }
  }
}

function learnAll(learner: Learner, { boundaries = true } = {}): void {
  for (const b of batches()) {
    learner.learn(b);
    if (boundaries && b.last) learner.endTask();
  }
}

function accuracyAfter(
  strategy: (model: () => Classifier) => Strategy,
  options: { boundaries?: boolean } = {},
): number {
  const start = tf.memory().numTensors;
  const model = newModel();
  const learner = createLearner({
    model,
    strategy: strategy(newModel),
    optimizer: () => sgd({ learningRate: 0.1 }),
    sampleShape: [8],
  });
  learnAll(learner, options);
  const accuracy = learner.evaluate(test).accuracy;
  learner.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
  return accuracy;
}

describe('Learner', () => {
  it("trains with the template's own step: the same weights as fit on the same online batches", () => {
    const online = onlineStream(stream, { batchSize: 10, seed: 4 });
    const viaFit = newModel();
    fit({
      ...er({ bufferSize: 30, seed: 2 }),
      stream: online,
      model: viaFit,
      optimizer: () => sgd({ learningRate: 0.1 }),
      epochs: 1,
      batchSize: 10,
    });
    const viaLearner = newModel();
    const learner = createLearner({
      model: viaLearner,
      strategy: er({ bufferSize: 30, seed: 2 }),
      optimizer: () => sgd({ learningRate: 0.1 }),
      sampleShape: [8],
    });
    const { data: delivered } = deliver(online);
    for (let start = 0; start < delivered.y.length; start += 10) {
      const end = Math.min(start + 10, delivered.y.length);
      learner.learn({ x: delivered.x.subarray(start * 8, end * 8), y: delivered.y.subarray(start, end) });
    }
    assert.equal(learner.stepCount, Math.ceil(delivered.y.length / 10));
    modelWeights(viaFit).forEach((v, i) =>
      assert.deepEqual(v.dataSync(), modelWeights(viaLearner)[i].dataSync(), `variable ${i} bit for bit`),
    );
    learner.dispose();
    [viaFit, viaLearner].forEach((m) => m.dispose());
  });

  it('learns new classes as they arrive; ER forgets less than Naive, with or without task boundaries', () => {
    const naiveAcc = accuracyAfter(() => naive(), { boundaries: false });
    const erAcc = accuracyAfter(() => er({ bufferSize: 60 }), { boundaries: false });
    const derppAcc = accuracyAfter(() => derpp({ bufferSize: 60 }));
    assert.ok(naiveAcc < 0.45, `Naive forgets: ${naiveAcc}`);
    assert.ok(erAcc > naiveAcc + 0.2, `ER ${erAcc} vs Naive ${naiveAcc}`);
    assert.ok(derppAcc > naiveAcc + 0.2, `DER++ ${derppAcc} vs Naive ${naiveAcc}`);
  });

  it('consolidates at endTask: LwF and iCaRL forget less than Naive; EWC holds more of the first task', () => {
    const naiveAcc = accuracyAfter(() => naive());
    const lwfAcc = accuracyAfter((copyModel) => lwf({ copyModel, alpha: 1 }));
    const icarlAcc = accuracyAfter((copyModel) => icarl({ copyModel, budget: 60 }));
    assert.ok(lwfAcc > naiveAcc + 0.05, `LwF ${lwfAcc} vs Naive ${naiveAcc}`);
    assert.ok(icarlAcc > naiveAcc + 0.2, `iCaRL ${icarlAcc} vs Naive ${naiveAcc}`);
    // EWC: the first task's accuracy after all three (class-IL EWC keeps little; it must keep more than Naive).
    const firstTask = { x: stream.experiences[0].test.x, y: stream.experiences[0].test.y };
    const heldFirst = (strategy: Strategy) => {
      const model = newModel();
      const learner = createLearner({
        model,
        strategy,
        optimizer: () => sgd({ learningRate: 0.1 }),
        sampleShape: [8],
      });
      learnAll(learner);
      const acc = learner.evaluate(firstTask).accuracy;
      learner.dispose();
      model.dispose();
      return acc;
    };
    const ewcFirst = heldFirst(ewc({ lambda: 2000 }));
    const naiveFirst = heldFirst(naive());
    assert.ok(ewcFirst > naiveFirst, `EWC keeps task 0 at ${ewcFirst} vs Naive ${naiveFirst}`);
  });

  it('predicts among the classes seen so far, with names; refuses a class beyond the model and bad shapes', () => {
    const model = newModel();
    const learner = createLearner({
      model,
      strategy: naive(),
      optimizer: () => adam({ learningRate: 0.01 }),
      sampleShape: [8],
      classNames: ['a', 'b', 'c', 'd', 'e', 'f'],
    });
    const first = stream.experiences[0].train;
    learner.learn({ x: first.x.subarray(0, 80), y: first.y.subarray(0, 10) });
    assert.deepEqual(learner.seenClasses, [...new Set(first.y.subarray(0, 10))].sort());
    const [p] = learner.predict(first.x.subarray(0, 8));
    assert.ok(learner.seenClasses.includes(p.label));
    assert.equal(p.className, ['a', 'b', 'c', 'd', 'e', 'f'][p.label]);
    assert.ok(Math.abs(p.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    p.probabilities.forEach((q, c) =>
      assert.ok(learner.seenClasses.includes(c) || q === 0, `class ${c} is not active`),
    );
    const fail = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.message;
      }
      assert.fail('accepted');
    };
    assert.equal(
      fail(() => learner.learn({ x: new Float32Array(8), y: [6] })),
      'learn.y[0]: expected a class id in [0, 6) (the model has 6 outputs; a learner with growModel grows them), got 6',
    );
    assert.equal(
      fail(() => learner.learn({ x: new Float32Array(7), y: [1] })),
      'learn.x: expected 1 examples of shape [8] (8 values), got 7 values',
    );
    assert.match(
      fail(() => learner.predict(new Float32Array(5))),
      /^x: expected a non-empty multiple of 8 values/,
    );
    learner.dispose();
    model.dispose();
  });

  it('refuses methods a live stream cannot give what they need, naming why', () => {
    const model = newModel();
    const make = (strategy: Strategy, tasks?: number) => () =>
      createLearner({
        model,
        strategy,
        optimizer: () => sgd({ learningRate: 0.1 }),
        sampleShape: [8],
        ...(tasks ? { tasks } : {}),
      });
    // Made (to predict with, e.g. a run's saved Joint model) but not learning live.
    const batch = {
      x: stream.experiences[0].train.x.subarray(0, 8),
      y: stream.experiences[0].train.y.subarray(0, 1),
    };
    assert.throws(
      () => make(joint())().learn(batch),
      /^ConfigError: strategy: joint picks its training data per experience of a benchmark/,
    );
    assert.throws(
      () => make(agem({ bufferSize: 30 }))().learn(batch),
      /^ConfigError: tasks: agem splits its memory over the tasks: give the number of tasks to expect$/,
    );
    const withTasks = make(agem({ bufferSize: 30 }), 3)();
    learnAll(withTasks);
    assert.ok(withTasks.evaluate(test).accuracy > 0.3);
    withTasks.dispose();
    model.dispose();
  });

  it('restored from its state, a learner goes on exactly as the saved one: 100 more steps, bit for bit', () => {
    const cases: [string, (copyModel: () => Classifier) => Strategy][] = [
      ['er', () => er({ bufferSize: 40, seed: 3 })],
      ['derpp', () => derpp({ bufferSize: 40, seed: 3 })],
      ['ewc', () => ewc({ lambda: 500 })],
      ['lwf', (copyModel) => lwf({ copyModel })],
      ['icarl', (copyModel) => icarl({ copyModel, budget: 30, seed: 1 })],
      ['gdumb', (copyModel) => gdumb({ copyModel, bufferSize: 30, epochs: 2, batchSize: 10 })],
    ];
    const start = tf.memory().numTensors;
    for (const [name, strategy] of cases) {
      const all = [...batches(6)];
      const cut = Math.floor(all.length / 2) + 3; // inside the second task
      const run = (learner: Learner, from: number, to: number) => {
        for (const b of all.slice(from, to)) {
          learner.learn(b);
          if (b.last) learner.endTask();
        }
      };
      const make = () => {
        const model = newModel();
        return {
          model,
          learner: createLearner({
            model,
            strategy: strategy(newModel),
            optimizer: () => adam({ learningRate: 0.01 }),
            sampleShape: [8],
          }),
        };
      };
      const whole = make();
      run(whole.learner, 0, all.length);
      const first = make();
      run(first.learner, 0, cut);
      // Through the checkpoint file format, into fresh objects.
      const saved = decodeCheckpoint(encodeCheckpoint(first.learner.state()), 'learner.ckpt');
      first.learner.dispose();
      first.model.dispose();
      const second = make();
      second.learner.restore(saved);
      run(second.learner, cut, all.length);
      assert.ok(all.length - cut >= 100, `${all.length - cut} steps after the restore`);
      assert.equal(second.learner.stepCount, whole.learner.stepCount, name);
      modelWeights(whole.model).forEach((v, i) =>
        assert.deepEqual(v.dataSync(), modelWeights(second.model)[i].dataSync(), `${name}: variable ${i}`),
      );
      assert.deepEqual(second.learner.predict(test.x), whole.learner.predict(test.x), `${name}: predictions`);
      for (const { model, learner } of [whole, second]) {
        learner.dispose();
        model.dispose();
      }
    }
    assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
  });
  it("forgets a user's rows: out of every memory and the task under way, and nothing else; then goes on learning", () => {
    const model = newModel();
    // EWC consolidates at endTask, so the learner keeps the task under way's examples too.
    const replay = derpp({ bufferSize: 60, alpha: 0.3, beta: 0.5, seed: 3 });
    const strategy = { name: 'derpp+ewc', plugins: [...replay.plugins, ...ewc({ lambda: 10 }).plugins] };
    const learner = createLearner({
      model,
      strategy,
      optimizer: () => sgd({ learningRate: 0.1 }),
      sampleShape: [8],
    });
    const all = [...batches(1)];
    // The "user": every third batch's rows.
    const theirs = all.filter((_, k) => k % 3 === 0);
    all.forEach((b) => learner.learn(b));
    const x = new Float32Array(theirs.reduce((n, b) => n + b.x.length, 0));
    theirs.reduce((at, b) => (x.set(b.x, at), at + b.x.length), 0);
    const match = matchRows(x, 8);
    const storedMatches = () => {
      const rows = (
        strategy.plugins[0] as unknown as { memory: { buffer: { all(): { x: Float32Array } } } }
      ).memory.buffer.all().x;
      let n = 0;
      for (let r = 0; r < rows.length / 8; r++) if (match(rows.subarray(r * 8, r * 8 + 8))) n++;
      return { n, size: rows.length / 8 };
    };
    const before = storedMatches();
    assert.ok(before.n > 5, `the buffer holds the user's rows before (${before.n})`);
    const weights = modelWeights(model).map((v) => v.dataSync().slice());
    const removed = learner.forgetExamples(match);
    assert.equal(removed.derpp, before.n);
    assert.equal('ewc' in removed, false, 'EWC stores no examples: nothing to ask it');
    assert.ok(removed.task > 0, "the task under way's rows too");
    const after = storedMatches();
    assert.equal(after.n, 0);
    assert.equal(after.size, before.size - before.n, 'only their rows left');
    assert.deepEqual(
      modelWeights(model).map((v) => v.dataSync()),
      weights,
      'the weights are not touched by forgetting',
    );
    assert.deepEqual(learner.forgetExamples(match), { derpp: 0, task: 0 });
    for (const b of batches(1)) learner.learn(b);
    assert.ok(learner.evaluate(test).accuracy > 0.5, 'it learns on');
    learner.dispose();
    model.dispose();
  });
});
