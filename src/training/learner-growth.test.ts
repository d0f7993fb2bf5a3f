/**
 * A Learner whose model starts with 2 outputs and grows its head as classes 2-5 arrive
 * (models/growth.ts): the grown model answers the old classes as before, ER still forgets less
 * than Naive, every method that declares it follows a growth learns through one, the others are
 * refused up front, and a grown learner saved from a config loads with its grown head.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { sgd } from '../engine/optimizers/index.js';
import { sixClusterMlp, sixClusterStream, sixClusterTest } from './testing/six-clusters.js';
import { grownModel } from '../models/growth.js';
import { createStrategy, strategies } from '../strategies/registry.js';
import { createLearner } from '../learner/create-learner.js';
import { loadLearner } from '../learner/load-learner.js';
import { Learner } from './learner.js';

await initEngine();

const stream = sixClusterStream;
const build = (numClasses: number) => sixClusterMlp(numClasses);
const test = sixClusterTest;
/** Methods that follow a growth, as the Learner's refusal lists them. */
const GROWABLE = [
  'naive',
  'er',
  'er-ace',
  'der',
  'derpp',
  'agem',
  'gem',
  'ewc',
  'online-ewc',
  'si',
  'mas',
  'lwf',
  'icarl',
];

/** Every task in batches of 10, 3 passes, ending each task. */
function learnStream(learner: Learner): void {
  for (const e of stream.experiences) {
    for (let pass = 0; pass < 3; pass++) {
      for (let start = 0; start < e.train.y.length; start += 10) {
        const end = Math.min(start + 10, e.train.y.length);
        learner.learn({ x: e.train.x.subarray(start * 8, end * 8), y: e.train.y.subarray(start, end) });
      }
    }
    learner.endTask();
  }
}

function grownLearner(name: string, options: Record<string, unknown> = {}): Learner {
  return new Learner({
    model: build(2),
    ownsModel: true,
    strategy: createStrategy(name, { seed: 1, copyModel: () => build(2), ...options }),
    optimizer: () => sgd({ learningRate: 0.1 }),
    sampleShape: [8],
    tasks: 3,
    growModel: build,
  });
}

describe('a growing head', () => {
  it('keeps the old outputs exactly: the grown model gives the same logits on them', () => {
    const small = build(2);
    const big = grownModel(small, build, 5);
    const x = tf.tensor2d(test.x.subarray(0, 40), [5, 8]);
    const before = small.logits(x).arraySync();
    const after = big.logits(x).arraySync();
    assert.equal(after[0].length, 5);
    after.forEach((row, r) => assert.deepEqual(row.slice(0, 2), before[r]));
    [x, small, big].forEach((t) => t.dispose());
  });

  it('grows from 2 to 6 outputs as classes arrive; ER forgets less than Naive', () => {
    const start = tf.memory().numTensors;
    const accuracy = (name: string, options: Record<string, unknown> = {}) => {
      const learner = grownLearner(name, options);
      learnStream(learner);
      assert.equal(learner.model.numClasses, 6);
      assert.equal(learner.predict(test.x.subarray(0, 8))[0].probabilities.length, 6);
      const acc = learner.evaluate(test).accuracy;
      learner.dispose();
      return acc;
    };
    const naiveAcc = accuracy('naive');
    const erAcc = accuracy('er', { bufferSize: 60 });
    assert.ok(naiveAcc < 0.45, `naive keeps mostly the last task: ${naiveAcc}`);
    assert.ok(erAcc > naiveAcc + 0.2, `er ${erAcc} vs naive ${naiveAcc}`);
    assert.equal(tf.memory().numTensors, start, 'no tensor leaks');
  });

  it('learns through growths with every method that follows one; refuses the others before learning', () => {
    const options: Record<string, Record<string, unknown>> = {
      er: { bufferSize: 60 },
      'er-ace': { bufferSize: 60 },
      der: { bufferSize: 60 },
      derpp: { bufferSize: 60 },
      agem: { bufferSize: 60 },
      gem: { bufferSize: 60 },
      icarl: { budget: 60 },
      gdumb: { bufferSize: 60 },
      'memory-augmented': { bufferSize: 60 },
      'importance-replay': { bufferSize: 60 },
      'importance-replay-uniform': { bufferSize: 60 },
      'multi-task-replay': { bufferSize: 60 },
      ewc: { lambda: 1 },
      'online-ewc': { lambda: 1 },
    };
    for (const name of strategies.names()) {
      let learner: Learner;
      try {
        learner = grownLearner(name, options[name] ?? {});
      } catch (error) {
        assert.ok(!GROWABLE.includes(name), `${name}: ${(error as Error).message}`);
        assert.match((error as Error).message, /^growModel: .* cannot grow the model's head/);
        continue;
      }
      // Joint and Cumulative pick training sets per experience: no learner learns with them, grown or not.
      if (learner.strategy.trainingSet && !learner.strategy.replaysLive) {
        assert.throws(() => learnStream(learner), /^ConfigError: strategy: .* picks its training data/);
        learner.dispose();
        continue;
      }
      if (!GROWABLE.includes(name)) {
        learner.dispose();
        assert.fail(`${name} was not refused, yet the refusal does not name it among the methods that grow`);
      }
      learnStream(learner);
      const acc = learner.evaluate(test).accuracy;
      assert.equal(learner.model.numClasses, 6, name);
      // Better than guessing among 6 classes: the grown head learnt the new classes.
      assert.ok(acc > 0.3, `${name}: accuracy ${acc}`);
      learner.dispose();
    }
  });

  it('refuses a class beyond the outputs without growModel, naming the option', () => {
    const learner = new Learner({
      model: build(2),
      ownsModel: true,
      strategy: createStrategy('naive', {}),
      optimizer: () => sgd({ learningRate: 0.1 }),
      sampleShape: [8],
    });
    assert.throws(
      () => learner.learn({ x: new Float32Array(8), y: [2] }),
      (e: Error) =>
        e.message ===
        'learn.y[0]: expected a class id in [0, 2) (the model has 2 outputs; a learner with growModel grows them), got 2',
    );
    learner.dispose();
  });

  it('a config with growOutputs grows, saves and loads with its grown head, predicting the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unforget-growth-'));
    try {
      const learner = await createLearner({
        model: { type: 'mlp', hiddenSizes: [16] },
        strategy: { name: 'lwf' },
        optimizer: { name: 'sgd', lr: 0.1 },
        sampleShape: [8],
        numClasses: 2,
        growOutputs: true,
      });
      learnStream(learner);
      await learner.save(dir);
      const loaded = await loadLearner(dir);
      assert.equal(loaded.model.numClasses, 6);
      assert.deepEqual(loaded.predict(test.x), learner.predict(test.x));
      learner.dispose();
      loaded.dispose();
      await assert.rejects(
        createLearner({
          model: { type: 'mlp' },
          strategy: { name: 'memory-augmented', bufferSize: 50 },
          sampleShape: [8],
          numClasses: 2,
          growOutputs: true,
        }),
        /^ConfigError: growOutputs: memory-augmented cannot grow the model's head/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
