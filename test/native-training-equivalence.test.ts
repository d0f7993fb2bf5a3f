/**
 * End to end: 20 SGD steps from identical weights on `native` and `cpu` give the same
 * losses (within 1e-4), for an MLP and a CNN, and the native run really ran its kernels in C++.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../src/engine/tf.js';
import { registerNativeBackend } from '../src/native/register.js';
import type { NativeBackend } from '../src/native/native-backend.js';
import { fusedDense } from '../src/models/layers/fused-dense.js';
import { softmaxCrossEntropy } from '../src/engine/losses.js';
import { sgd } from '../src/engine/optimizers/index.js';

const registration = registerNativeBackend();

type Dense = typeof tf.layers.dense;

function smallCnn(dense: Dense = tf.layers.dense): tf.LayersModel {
  // The benchmark CNN's layer types at a size the slow cpu backend trains in seconds.
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      dense({ units: 32, activation: 'relu' }),
      dense({ units: 10 }),
    ],
  });
}

function mlp(dense: Dense = tf.layers.dense): tf.LayersModel {
  return tf.sequential({
    layers: [
      dense({ inputShape: [784], units: 64, activation: 'relu' }),
      dense({ units: 64, activation: 'relu' }),
      dense({ units: 10 }),
    ],
  });
}

interface Setup {
  build: () => tf.LayersModel;
  inputShape: number[];
  batchSize: number;
  /** `tfjs`: tf.losses + tf.train.sgd; `unforget`: the fused loss and in-place SGD. */
  training?: 'tfjs' | 'unforget';
}

/** Trains `steps` SGD steps on `backend` from the given weights; returns the loss of every step. */
async function train(
  backend: string,
  setup: Setup,
  weights: Float32Array[],
  steps: number,
): Promise<number[]> {
  await tf.setBackend(backend);
  const model = setup.build();
  tf.tidy(() => model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape))));
  const x = tf.randomUniform([setup.batchSize * 4, ...setup.inputShape], 0, 1, 'float32', 11);
  const y = tf.tidy(() =>
    tf.cast(tf.oneHot(tf.randomUniform([setup.batchSize * 4], 0, 10, 'int32', 12), 10), 'float32'),
  );
  const unforget = setup.training === 'unforget';
  const optimizer = unforget ? sgd({ learningRate: 0.05 }) : tf.train.sgd(0.05);
  const lossOf = unforget
    ? softmaxCrossEntropy
    : (l: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(l, p) as tf.Scalar;
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const start = (s % 4) * setup.batchSize;
    losses.push(
      tf.tidy(() => {
        const xb = tf.slice(x, start, setup.batchSize);
        const yb = tf.slice(y, start, setup.batchSize);
        const loss = optimizer.minimize(() => lossOf(yb, model.apply(xb) as tf.Tensor), true);
        return (loss as tf.Scalar).dataSync()[0];
      }),
    );
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return losses;
}

/**
 * Seeded initial weights (glorot-like scale). Seeded, not the layers' own random init: with
 * fresh weights every run, now and then a ReLU input lands within float rounding of 0, where
 * cpu and native (different summation orders) take different sides of the kink and the two
 * trajectories part by ~1e-3 (seen about once in 10-20 runs). Fixed weights make the check
 * deterministic without loosening it.
 */
async function initialWeights(setup: Setup): Promise<Float32Array[]> {
  await tf.setBackend('cpu');
  const model = setup.build();
  const weights = model.getWeights().map((w, i) =>
    tf.tidy(() => {
      const fanIn = w.shape.length > 1 ? w.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
      const limit = w.shape.length > 1 ? Math.sqrt(3 / fanIn) : 0.1;
      return tf.randomUniform(w.shape, -limit, limit, 'float32', 1000 + i).dataSync() as Float32Array;
    }),
  );
  model.dispose();
  return weights;
}

/**
 * cpu trains `reference` (stock tfjs layers, loss and optimizer); native trains `setup`,
 * which may use unforget's fused layers, loss and optimizer: the same maths.
 */
async function expectSameTraining(setup: Setup, nativeKernelsExpected: string[], reference: Setup = setup) {
  assert.ok(registration.ok, 'the native backend must be available');
  const weights = await initialWeights(reference);
  const cpuLosses = await train('cpu', reference, weights, 20);
  await tf.setBackend('native');
  const backend = tf.backend() as NativeBackend;
  const before = new Map(backend.calls.native);
  const nativeLosses = await train('native', setup, weights, 20);
  for (const kernel of nativeKernelsExpected) {
    assert.ok(
      (backend.calls.native.get(kernel) ?? 0) > (before.get(kernel) ?? 0),
      `${kernel} ran natively (native: ${[...backend.calls.native.keys()].join(', ')}; fallback: ${[...backend.calls.fallback.keys()].join(', ')})`,
    );
  }
  const maxDiff = Math.max(...cpuLosses.map((l, i) => Math.abs(l - nativeLosses[i])));
  assert.ok(
    maxDiff < 1e-4,
    `losses differ by ${maxDiff}: cpu ${cpuLosses.join(', ')} native ${nativeLosses.join(', ')}`,
  );
  // Training did something: the loss on the first batch moved (steps 0 and 16 see the same batch).
  assert.ok(
    Math.abs(cpuLosses[0] - cpuLosses[16]) > 1e-3,
    `the loss changed over 16 steps: ${cpuLosses.join(', ')}`,
  );
}

describe('native vs cpu: 20 SGD steps from identical weights', () => {
  const mlpSetup: Setup = { build: () => mlp(), inputShape: [784], batchSize: 16 };
  const cnnSetup: Setup = { build: () => smallCnn(), inputShape: [28, 28, 1], batchSize: 8 };
  const convKernels = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPool', 'MaxPoolGrad'];
  const stockKernels = ['BatchMatMul', 'Add', 'Relu', 'Step', 'Multiply', 'Sum', 'Exp', 'Max', 'Log'];

  it('MLP 784-64-64-10, batch 16, tfjs layers, loss and SGD', async () => {
    await expectSameTraining(mlpSetup, stockKernels);
  });
  it('CNN conv-pool-conv-pool-dense-dense, batch 8, tfjs layers, loss and SGD', async () => {
    await expectSameTraining(cnnSetup, [...stockKernels, ...convKernels]);
  });
  const fusedKernels = [
    'UnforgetDense',
    'UnforgetDenseGrad',
    'UnforgetSoftmaxCrossEntropy',
    'UnforgetSoftmaxCrossEntropyGrad',
  ];
  it('MLP with fused dense layers, fused loss and in-place SGD vs stock tfjs on cpu', async () => {
    await expectSameTraining(
      { ...mlpSetup, build: () => mlp(fusedDense as Dense), training: 'unforget' },
      fusedKernels,
      mlpSetup,
    );
  });
  it('CNN with fused dense layers, fused loss and in-place SGD vs stock tfjs on cpu', async () => {
    await expectSameTraining(
      { ...cnnSetup, build: () => smallCnn(fusedDense as Dense), training: 'unforget' },
      [...fusedKernels, ...convKernels],
      cnnSetup,
    );
  });
});
