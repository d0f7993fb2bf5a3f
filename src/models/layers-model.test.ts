import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { modelWeights } from './classifier.js';
import { FusedDense } from './layers/fused-dense.js';
import {
  copyLayersModel,
  fromLayersModel,
  layersModelFactory,
  layersModelFromSnapshot,
  snapshotLayersModel,
} from './layers-model.js';
import { classIlReplay } from '../strategies/testing/class-il-replay.js';
import { naive } from '../strategies/baselines/naive.js';
import { derpp } from '../strategies/replay/derpp.js';

await initEngine();

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });

/** dense - BatchNorm - ReLU - Dropout - dense, seeded: the brief's Sequential. */
function bnDropoutMlp(inputs = 4, classes = 8, seed = 1): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 32, inputShape: [inputs], kernelInitializer: glorot(seed) }),
      tf.layers.batchNormalization({ momentum: 0.9 }),
      tf.layers.reLU(),
      tf.layers.dropout({ rate: 0.2 }),
      tf.layers.dense({ units: classes, kernelInitializer: glorot(seed + 1) }),
    ],
  });
}

function gap(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('fromLayersModel', () => {
  it('trains a Sequential with BatchNorm and Dropout under DER++, which forgets less than Naive', () => {
    const setup = classIlReplay();
    const plain = setup.runSummary(naive(), { model: fromLayersModel(bnDropoutMlp()) });
    const replayed = setup.runSummary(derpp({ bufferSize: 100, seed: 1 }), {
      model: fromLayersModel(bnDropoutMlp()),
    });
    assert.ok(plain.acc < 0.4, `Naive ACC ${plain.acc}`);
    assert.ok(replayed.acc > plain.acc + 0.25, `DER++ ACC ${replayed.acc} vs Naive ${plain.acc}`);
    assert.ok(
      replayed.forgetting < plain.forgetting - 0.25,
      `forgetting ${replayed.forgetting} vs ${plain.forgetting}`,
    );
  });

  it('passes the training flag to every layer; its variables are the trainable weights, its state the rest', () => {
    const start = tf.memory().numTensors;
    const model = bnDropoutMlp();
    const classifier = fromLayersModel(model);
    assert.equal(classifier.numClasses, 8);
    assert.equal(classifier.name, `layers(${model.name})`);
    assert.deepEqual(
      classifier.variables.map((v) => v.shape),
      [[4, 32], [32], [32], [32], [32, 8], [8]],
    );
    assert.deepEqual(
      classifier.stateVariables.map((v) => v.shape),
      [[32], [32]],
    );
    const x = tf.randomUniform([6, 4], -1, 1, 'float32', 1);
    const before = classifier.stateVariables.map(values);
    const inference = classifier.logits(x);
    const predicted = model.predict(x) as tf.Tensor;
    assert.deepEqual(values(inference), values(predicted), "inference is the model's predict");
    assert.deepEqual(classifier.stateVariables.map(values), before);
    const training = classifier.logits(x, undefined, true);
    assert.ok(gap(training, inference) > 1e-3, 'a training pass: batch statistics and dropout');
    classifier.stateVariables.forEach((v, i) =>
      assert.notDeepEqual(values(v), before[i], `state ${i} moved`),
    );
    // The features: the last layer's input (after Dropout, the identity at inference).
    const features = classifier.features!(x);
    assert.deepEqual(features.shape, [6, 32]);
    const relu = tf.tidy(() => {
      const [, bn, act] = model.layers;
      return act.apply(bn.apply(model.layers[0].apply(x))) as tf.Tensor;
    });
    assert.deepEqual(values(features), values(relu));
    tf.dispose([x, inference, predicted, training, features, relu]);
    classifier.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('reads the logits before a trailing softmax layer, or a softmax Dense layer, and refuses other softmax outputs', () => {
    const start = tf.memory().numTensors;
    const x = tf.randomUniform([3, 4], -1, 1, 'float32', 2);
    // A softmax layer after a linear Dense: the logits are the Dense's output.
    const dense = tf.layers.dense({ units: 3, inputShape: [4], kernelInitializer: glorot(3) });
    const trailing = fromLayersModel(tf.sequential({ layers: [dense, tf.layers.softmax()] }));
    const [logits, linear] = [trailing.logits(x), dense.apply(x) as tf.Tensor];
    assert.deepEqual(values(logits), values(linear));
    assert.deepEqual(
      tf.tidy(() => trailing.features!(x).shape),
      [3, 4],
      'the Dense layer reads the input',
    );
    // A Dense layer with a softmax activation: its pre-activation.
    const softmaxDense = tf.sequential({
      layers: [
        tf.layers.dense({ units: 5, inputShape: [4], activation: 'relu', kernelInitializer: glorot(4) }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(5) }),
      ],
    });
    const fused = fromLayersModel(softmaxDense);
    const [z, probabilities] = [fused.logits(x), softmaxDense.predict(x) as tf.Tensor];
    const softmaxGap = tf.tidy(() => gap(tf.softmax(z), probabilities));
    assert.ok(softmaxGap < 1e-6, `softmax of the logits is the model output (${softmaxGap})`);
    assert.equal(fused.numClasses, 3);
    const conv = tf.sequential({
      layers: [tf.layers.conv2d({ filters: 3, kernelSize: 1, activation: 'softmax', inputShape: [2, 2, 1] })],
    });
    assert.throws(() => fromLayersModel(conv), /applies softmax, and unforget trains on logits/);
    tf.dispose([x, logits, linear, z, probabilities]);
    [trailing, fused].forEach((c) => c.dispose());
    conv.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('refuses a model without one [batch, classes] output', () => {
    const a = tf.input({ shape: [3] });
    const b = tf.input({ shape: [3] });
    const twoInputs = tf.model({
      inputs: [a, b],
      outputs: tf.layers.add().apply([a, b]) as tf.SymbolicTensor,
    });
    assert.throws(() => fromLayersModel(twoInputs), /one input and one output, got 2 and 1/);
    const image = tf.sequential({
      layers: [tf.layers.conv2d({ filters: 2, kernelSize: 1, inputShape: [2, 2, 1] })],
    });
    assert.throws(() => fromLayersModel(image), /logits of shape \[batch, classes\], got \[, 2, 2, 2\]/);
    twoInputs.dispose();
    image.dispose();
  });

  it("takes a functional model's features at its output layer's input", () => {
    const start = tf.memory().numTensors;
    const input = tf.input({ shape: [6] });
    const hidden = tf.layers.dense({ units: 5, activation: 'tanh', kernelInitializer: glorot(6) });
    const output = tf.layers.dense({ units: 2, kernelInitializer: glorot(7) });
    const model = tf.model({
      inputs: input,
      outputs: output.apply(hidden.apply(input)) as tf.SymbolicTensor,
    });
    const classifier = fromLayersModel(model, { name: 'two-layer' });
    const x = tf.randomUniform([4, 6], -1, 1, 'float32', 3);
    const [features, h] = [classifier.features!(x), hidden.apply(x) as tf.Tensor];
    assert.deepEqual(values(features), values(h));
    assert.equal(classifier.name, 'two-layer');
    assert.equal(classifier.stateVariables.length, 0);
    tf.dispose([x, features, h]);
    classifier.dispose();
    assert.equal(tf.memory().numTensors, start);
  });
});

describe('copyLayersModel / layersModelFactory / snapshots', () => {
  it('copies the architecture with the current weights, or fresh ones from the seeded initialisers', () => {
    const start = tf.memory().numTensors;
    const model = bnDropoutMlp();
    const x = tf.randomUniform([6, 4], -1, 1, 'float32', 4);
    const initial = model.predict(x) as tf.Tensor;
    // Move the weights and the statistics away from their initial values.
    const classifier = fromLayersModel(model);
    tf.tidy(() => {
      classifier.logits(x, undefined, true);
      classifier.variables.forEach((v) => v.assign(tf.add(v, 0.1)));
    });
    const current = model.predict(x) as tf.Tensor;
    const copy = copyLayersModel(model);
    const fresh = copyLayersModel(model, { weights: 'fresh' });
    const [copied, redrawn] = [copy.predict(x) as tf.Tensor, fresh.predict(x) as tf.Tensor];
    assert.deepEqual(values(copied), values(current));
    assert.deepEqual(
      values(redrawn),
      values(initial),
      'the same seeded initialisers, the same first weights',
    );
    assert.ok(gap(current, initial) > 1e-3);
    copy.weights.forEach((w, i) => assert.notEqual(w.read(), model.weights[i].read(), 'its own variables'));
    tf.dispose([x, initial, current, copied, redrawn]);
    [copy, fresh].forEach((m) => m.dispose());
    classifier.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('builds fused Dense layers on request, with the same outputs', () => {
    const start = tf.memory().numTensors;
    const model = bnDropoutMlp();
    const fused = copyLayersModel(model, { fuseDense: true });
    assert.equal(fused.layers.filter((l) => l instanceof FusedDense).length, 2);
    const x = tf.randomUniform([6, 4], -1, 1, 'float32', 5);
    const [a, b] = [model.predict(x) as tf.Tensor, fused.predict(x) as tf.Tensor];
    assert.ok(gap(a, b) < 1e-5);
    tf.dispose([x, a, b]);
    [model, fused].forEach((m) => m.dispose());
    assert.equal(tf.memory().numTensors, start);
  });

  it('makes independent classifiers for a strategy that keeps a frozen copy', () => {
    const start = tf.memory().numTensors;
    const model = bnDropoutMlp();
    const copyModel = layersModelFactory(model);
    const [a, b] = [copyModel(), copyModel()];
    assert.deepEqual(
      modelWeights(a).map(values),
      modelWeights(fromLayersModel(model, { disposeModel: false })).map(values),
    );
    tf.tidy(() => a.variables[0].assign(tf.zerosLike(a.variables[0])));
    assert.notDeepEqual(values(b.variables[0]), values(a.variables[0]));
    assert.equal(a.name, `layers(${model.name})`);
    [a, b].forEach((c) => c.dispose());
    model.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('keeps a model as plain values and builds it back', () => {
    const start = tf.memory().numTensors;
    const model = bnDropoutMlp();
    const snapshot = snapshotLayersModel(model);
    model.dispose();
    assert.equal(tf.memory().numTensors, start, 'a snapshot holds no tensors');
    assert.deepEqual(snapshot.inputShape, [4]);
    const [a, b] = [layersModelFromSnapshot(snapshot), layersModelFromSnapshot(snapshot)];
    const x = tf.randomUniform([3, 4], -1, 1, 'float32', 6);
    const [ya, yb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
    assert.deepEqual(values(ya), values(yb));
    assert.deepEqual(
      a.getWeights().map(values),
      snapshot.weights.map((w) => Array.from(w.values)),
    );
    tf.dispose([x, ya, yb]);
    [a, b].forEach((m) => m.dispose());
    assert.equal(tf.memory().numTensors, start);
  });
});
