import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { sgd } from '../engine/optimizers/index.js';
import { softmaxCrossEntropy } from '../engine/losses.js';
import { modelWeights } from './classifier.js';
import { resnet18, resnet18Reduced, type ResNetOptions } from './resnet.js';

await initEngine();

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const reduced = (options: Partial<ResNetOptions> = {}) =>
  resnet18Reduced({ inputShape: [8, 8, 3], numClasses: 5, seed: 1, ...options });
const size = (vs: readonly tf.Variable[]) => vs.reduce((n, v) => n + v.size, 0);

/** Trainable parameters of ResNet-18 (BasicBlocks [2, 2, 2, 2]) by counting, as the PyTorch code declares them. */
function resnet18Parameters(nf: number, classes: number, channels = 3): number {
  const conv = (k: number, cin: number, cout: number) => k * k * cin * cout;
  const bn = (c: number) => 2 * c;
  let total = conv(3, channels, nf) + bn(nf);
  let cin = nf;
  for (let stage = 0; stage < 4; stage++) {
    const w = nf * 2 ** stage;
    for (let k = 0; k < 2; k++) {
      total += conv(3, cin, w) + bn(w) + conv(3, w, w) + bn(w);
      if (cin !== w) total += conv(1, cin, w) + bn(w);
      cin = w;
    }
  }
  return total + 8 * nf * classes + classes;
}

describe('resnet18Reduced / resnet18', () => {
  it("has GEM's reduced ResNet-18 layers: 20 convolutions, each with its BatchNorm, 8 residual adds", () => {
    const start = tf.memory().numTensors;
    const model = reduced();
    const counts = new Map<string, number>();
    model.model.layers.forEach((l) => counts.set(l.getClassName(), (counts.get(l.getClassName()) ?? 0) + 1));
    assert.equal(counts.get('Conv2D'), 1 + 16 + 3, 'stem, 2 per BasicBlock, 3 shortcut projections');
    assert.equal(counts.get('BatchNormalization'), 20);
    assert.equal(counts.get('Add'), 8);
    assert.equal(counts.get('ZeroPadding2D'), 3, 'the stride-2 3x3 convolutions pad both sides');
    assert.equal(counts.get('MaxPooling2D'), undefined, 'no max-pool after the stem');
    assert.equal(counts.get('GlobalAveragePooling2D'), 1);
    assert.equal(counts.get('Dense'), 1);
    assert.equal(size(model.variables), resnet18Parameters(20, 5));
    assert.equal(model.stateVariables.length, 40, 'moving mean and variance of every BatchNorm');
    // Two values per BatchNorm channel: the stem's, 4 per stage's width and the 3 projections'.
    assert.equal(size(model.stateVariables), 2 * (20 + 4 * (20 + 40 + 80 + 160) + (40 + 80 + 160)));
    model.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it("resnet18 is Mammoth's: nf 64, 11,173,962 parameters for 10 classes", () => {
    const start = tf.memory().numTensors;
    const model = resnet18({ inputShape: [8, 8, 3], numClasses: 10, seed: 1 });
    assert.equal(size(model.variables), 11_173_962);
    assert.equal(resnet18Parameters(64, 10), 11_173_962);
    assert.match(model.name, /^resnet18\(8x8x3, nf 64, 10 classes\)$/);
    model.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('gives [batch, classes] logits and [batch, 8nf] features; widths and strides nf/1, 2nf/2, 4nf/2, 8nf/2', () => {
    const start = tf.memory().numTensors;
    const model = reduced({ inputShape: [7, 7, 2] });
    const shapeOf = (name: string) => model.model.getLayer(name).outputShape;
    assert.deepEqual(shapeOf('relu1'), [null, 7, 7, 20]);
    assert.deepEqual(shapeOf('layer1.1.relu2'), [null, 7, 7, 20]);
    // PyTorch's floor((7 + 2 - 3) / 2) + 1 = 4, then 2, then 1.
    assert.deepEqual(shapeOf('layer2.1.relu2'), [null, 4, 4, 40]);
    assert.deepEqual(shapeOf('layer3.1.relu2'), [null, 2, 2, 80]);
    assert.deepEqual(shapeOf('layer4.1.relu2'), [null, 1, 1, 160]);
    const x = tf.randomUniform([3, 7, 7, 2], 0, 1, 'float32', 2);
    const [logits, features] = [model.logits(x), model.features!(x)];
    assert.deepEqual(logits.shape, [3, 5]);
    assert.deepEqual(features.shape, [3, 160]);
    tf.dispose([x, logits, features]);
    model.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it("pads a stride-2 convolution on both sides, as PyTorch's padding=1", () => {
    const start = tf.memory().numTensors;
    const model = reduced();
    const pad = model.model.getLayer('layer2.0.conv1.pad');
    const conv = model.model.getLayer('layer2.0.conv1');
    const [shape, gap] = tf.tidy(() => {
      const x = tf.randomUniform([2, 8, 8, 20], -1, 1, 'float32', 3);
      const ours = conv.apply(pad.apply(x)) as tf.Tensor;
      const pytorch = tf.conv2d(x as tf.Tensor4D, conv.getWeights()[0] as tf.Tensor4D, 2, 1);
      return [ours.shape, tf.max(tf.abs(tf.sub(ours, pytorch))).dataSync()[0]];
    });
    assert.deepEqual(shape, [2, 4, 4, 40]);
    assert.ok(gap < 1e-5, `${gap}`);
    model.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('is seeded, and draws PyTorch-style weights (uniform in ±1/sqrt(fan-in))', () => {
    const start = tf.memory().numTensors;
    const [a, b, c] = [reduced(), reduced(), reduced({ seed: 2 })];
    modelWeights(a).forEach((v, i) => assert.deepEqual(values(v), values(modelWeights(b)[i]), `weight ${i}`));
    assert.notDeepEqual(values(a.variables[0]), values(c.variables[0]));
    const stem = values(a.variables[0]);
    const limit = 1 / Math.sqrt(3 * 3 * 3);
    assert.ok(stem.every((w) => Math.abs(w) <= limit) && Math.max(...stem.map(Math.abs)) > 0.9 * limit);
    [a, b, c].forEach((m) => m.dispose());
    assert.equal(tf.memory().numTensors, start);
  });

  it('normalises by batch statistics and moves its averages in training passes only', () => {
    const start = tf.memory().numTensors;
    const model = reduced();
    const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 4);
    const state = () => model.stateVariables.map(values);
    const initial = state();
    const [inference, again] = [model.logits(x), model.logits(x)];
    assert.deepEqual(values(again), values(inference));
    assert.deepEqual(state(), initial, 'inference leaves the moving statistics');
    const training = model.logits(x, undefined, true);
    assert.notDeepEqual(values(training), values(inference));
    state().forEach((s, i) => assert.notDeepEqual(s, initial[i], `statistic ${i} moves`));
    tf.dispose([x, inference, again, training]);
    model.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('trains: the loss of a small batch falls under SGD', () => {
    const optimizer = sgd({ learningRate: 0.05 });
    const start = tf.memory().numTensors;
    const model = reduced({ nf: 8 });
    const x = tf.randomUniform([10, 8, 8, 3], 0, 1, 'float32', 5);
    const labels = tf.tidy(
      () => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2, 3, 4], 'int32'), 5) as tf.Tensor2D,
    );
    const losses: number[] = [];
    for (let step = 0; step < 12; step++) {
      losses.push(
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(
            () => softmaxCrossEntropy(labels, model.logits(x, undefined, true)),
            [...model.variables],
          );
          optimizer.applyGradients(grads);
          return value.dataSync()[0];
        }),
      );
    }
    assert.ok(losses[11] < losses[0] / 2, `loss ${losses[0]} -> ${losses[11]}`);
    tf.dispose([x, labels]);
    model.dispose();
    assert.equal(tf.memory().numTensors, start);
    optimizer.dispose();
  });
});
