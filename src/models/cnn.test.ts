import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { sgd } from '../engine/optimizers/index.js';
import { modelWeights } from './classifier.js';
import { cnn, type CnnOptions } from './cnn.js';
import { IMAGE_SHAPE, imageClassIl, runImages } from './testing/image-stream.js';
import { naive } from '../strategies/baselines/naive.js';
import { er } from '../strategies/replay/er.js';
import { lwf } from '../strategies/regularization/lwf.js';
import { assertResumesExactly } from '../strategies/testing/resume.js';
import { fit } from '../training/template.js';
import type { Plugin } from '../training/plugin.js';

await initEngine();

const small = (options: Partial<CnnOptions> = {}) =>
  cnn({ inputShape: IMAGE_SHAPE, numClasses: 6, filters: [4, 8], hiddenSizes: [16], seed: 1, ...options });
const values = (t: tf.Tensor) => Array.from(t.dataSync());
const batch = () => tf.randomUniform([5, ...IMAGE_SHAPE], 0, 1, 'float32', 7);

describe('cnn', () => {
  it('maps [batch, 8, 8, 3] to [batch, classes] logits and [batch, hidden] features, seeded', () => {
    const start = tf.memory().numTensors;
    const [a, b, c] = [small(), small(), small({ seed: 2 })];
    const x = batch();
    const [la, lb, lc] = [a, b, c].map((m) => m.logits(x));
    const features = a.features!(x);
    assert.deepEqual(la.shape, [5, 6]);
    assert.deepEqual(features.shape, [5, 16], 'features: the last hidden layer, what the output reads');
    assert.deepEqual(values(la), values(lb), 'same seed, same outputs');
    modelWeights(a).forEach((v, i) => assert.deepEqual(values(v), values(modelWeights(b)[i]), `weight ${i}`));
    assert.notDeepEqual(values(la), values(lc), 'another seed, another model');
    // conv kernel + bias per block, then two dense layers' kernel + bias.
    assert.equal(a.variables.length, 8);
    assert.equal(a.stateVariables.length, 0, 'no BatchNorm, no state');
    assert.equal(a.name, 'cnn(8x8x3: conv4-conv8 maxpool-16-6)');
    tf.dispose([x, la, lb, lc, features]);
    [a, b, c].forEach((m) => m.dispose());
    assert.equal(tf.memory().numTensors, start);
  });

  it('without BatchNorm or Dropout, a training pass gives exactly the inference outputs', () => {
    const start = tf.memory().numTensors;
    const model = small({ pool: 'avg' });
    const x = batch();
    const [inference, training] = [model.logits(x), model.logits(x, undefined, true)];
    assert.deepEqual(values(training), values(inference));
    tf.dispose([x, inference, training]);
    model.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('with BatchNorm: batch statistics and moving averages in training passes only', () => {
    const start = tf.memory().numTensors;
    const model = small({ batchNorm: true });
    // gamma and beta are trained; moving mean and variance, two per BatchNorm, are state.
    assert.equal(model.variables.length, 2 + 2 * 2 + 4);
    assert.equal(model.stateVariables.length, 4);
    const x = batch();
    const state = () => model.stateVariables.map(values);
    const initial = state();
    const inference = model.logits(x);
    const again = model.logits(x);
    assert.deepEqual(state(), initial, 'inference passes leave the moving statistics alone');
    assert.deepEqual(values(again), values(inference), 'and repeat exactly');
    const training = model.logits(x, undefined, true);
    assert.notDeepEqual(
      values(training),
      values(inference),
      "a training pass normalises by the batch's statistics",
    );
    const moved = state();
    moved.forEach((s, i) =>
      assert.notDeepEqual(s, initial[i], `moving statistic ${i} moves in a training pass`),
    );
    const after = model.logits(x);
    assert.notDeepEqual(values(after), values(inference), 'inference reads the moved averages');
    assert.deepEqual(state(), moved);
    tf.dispose([x, inference, again, training, after]);
    model.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('with Dropout: training passes drop, inference passes do not', () => {
    const start = tf.memory().numTensors;
    const model = small({ dropout: 0.5 });
    const x = batch();
    const [a, b] = [model.logits(x), model.logits(x)];
    const [t1, t2] = [model.logits(x, undefined, true), model.logits(x, undefined, true)];
    assert.deepEqual(values(a), values(b));
    assert.notDeepEqual(values(t1), values(a));
    assert.notDeepEqual(values(t1), values(t2), 'a new mask each pass');
    tf.dispose([x, a, b, t1, t2]);
    model.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('refuses inputs too small for its poolings, and a bad rate', () => {
    assert.throws(() => small({ inputShape: [3, 3, 1], filters: [4, 4] }), /too small for 2 2x2 poolings/);
    assert.throws(() => small({ dropout: 1 }), /cnn.dropout/);
    assert.throws(() => small({ inputShape: [8, 8] }), /cnn.inputShape/);
  });

  it('learns a class-IL image stream, and ER forgets less than Naive (same seed)', () => {
    const stream = imageClassIl();
    const plain = runImages(stream, small({ batchNorm: true }), naive());
    const replay = runImages(stream, small({ batchNorm: true }), er({ bufferSize: 36, seed: 1 }));
    // Naive learns each experience (the diagonal) and forgets the earlier ones.
    plain.matrix.forEach((row, i) => assert.ok(row[i] > 0.8, `Naive learns experience ${i}: ${row[i]}`));
    assert.ok(plain.acc < 0.5, `Naive ACC ${plain.acc}`);
    assert.ok(replay.acc > plain.acc + 0.2, `ER ACC ${replay.acc} vs Naive ${plain.acc}`);
    assert.ok(
      replay.forgetting < plain.forgetting - 0.2,
      `ER forgetting ${replay.forgetting} vs ${plain.forgetting}`,
    );
  });

  it('resumes an ER run with BatchNorm bit for bit (weights and moving statistics)', () => {
    const stream = imageClassIl({ samplesPerClass: 8, testSamplesPerClass: 4 });
    // Every model's weights and state as it is disposed: the whole run's, then per stop the stopped
    // run's and the resumed run's.
    const finals: number[][][] = [];
    const newModel = () => {
      const model = small({ batchNorm: true });
      return {
        ...model,
        dispose: () => {
          finals.push(modelWeights(model).map(values));
          model.dispose();
        },
      };
    };
    const stops = [3, 7, 9];
    const resumed = assertResumesExactly(
      {
        strategy: () => er({ bufferSize: 12, seed: 3 }),
        stream,
        newModel,
        optimizer: () => sgd({ learningRate: 0.05 }),
        epochs: 2,
        batchSize: 8,
      },
      stops,
    );
    assert.equal(resumed, stops.length);
    const [whole] = finals;
    assert.notDeepEqual(whole.at(-1), new Array(8).fill(1), 'the moving variance moved');
    stops.forEach((stop, k) =>
      assert.deepEqual(finals[2 + 2 * k], whole, `stopped at ${stop}: every variable and statistic`),
    );
  });

  it("hands LwF's frozen copy the BatchNorm statistics with the weights", () => {
    const stream = imageClassIl({ samplesPerClass: 8, testSamplesPerClass: 4 });
    const copies: ReturnType<typeof small>[] = [];
    const compared: number[] = [];
    // Runs after LwF's own plugin: at each experience's end the frozen copy was just made.
    const check: Plugin = {
      name: 'check-frozen',
      stateless: true,
      onExperienceEnd(ctx) {
        const [frozen] = copies;
        assert.ok(frozen, 'LwF made its frozen copy');
        const model = ctx.model as ReturnType<typeof small>;
        assert.notDeepEqual(values(model.stateVariables[0]), new Array(4).fill(0), 'the moving mean moved');
        modelWeights(model).forEach((v, i) =>
          assert.deepEqual(values(modelWeights(frozen)[i]), values(v), `frozen variable ${i}`),
        );
        compared.push(frozen.stateVariables.length);
      },
    };
    const start = tf.memory().numTensors;
    const model = small({ batchNorm: true });
    fit({
      ...lwf({
        copyModel: () => {
          const copy = small({ batchNorm: true, seed: 9 });
          copies.push(copy);
          return copy;
        },
        plugins: [check],
      }),
      stream,
      model,
      optimizer: () => sgd({ learningRate: 0.05 }),
      epochs: 1,
      batchSize: 8,
      seed: 0,
    });
    model.dispose();
    assert.equal(copies.length, 1, 'one frozen copy, overwritten at each experience end');
    assert.deepEqual(compared, [4, 4, 4]);
    assert.equal(tf.memory().numTensors, start, 'the frozen copy is disposed with the plugin');
  });
});
