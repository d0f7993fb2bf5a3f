/**
 * End to end: 20 SGD steps from identical weights on `native` and `cpu` give the same
 * losses (within 1e-4), for an MLP and a CNN, and the native run really ran its kernels in C++.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../src/engine/tf.js';
import { registerNativeBackend } from '../src/native/register.js';
import type { NativeBackend } from '../src/native/native-backend.js';

const registration = registerNativeBackend();

function smallCnn(): tf.LayersModel {
  // The benchmark CNN's layer types at a size the slow cpu backend trains in seconds.
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 32, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

interface Setup {
  build: () => tf.LayersModel;
  inputShape: number[];
  batchSize: number;
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
  const optimizer = tf.train.sgd(0.05);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const start = (s % 4) * setup.batchSize;
    losses.push(
      tf.tidy(() => {
        const xb = tf.slice(x, start, setup.batchSize);
        const yb = tf.slice(y, start, setup.batchSize);
        const loss = optimizer.minimize(
          () => tf.losses.softmaxCrossEntropy(yb, model.apply(xb) as tf.Tensor),
          true,
        );
        return (loss as tf.Scalar).dataSync()[0];
      }),
    );
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return losses;
}

async function initialWeights(setup: Setup): Promise<Float32Array[]> {
  await tf.setBackend('cpu');
  const model = setup.build();
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return weights;
}

async function expectSameTraining(setup: Setup, nativeKernelsExpected: string[]) {
  assert.ok(registration.ok, 'the native backend must be available');
  const weights = await initialWeights(setup);
  const cpuLosses = await train('cpu', setup, weights, 20);
  await tf.setBackend('native');
  const backend = tf.backend() as NativeBackend;
  const before = new Map(backend.calls.native);
  const nativeLosses = await train('native', setup, weights, 20);
  for (const kernel of nativeKernelsExpected) {
    assert.ok((backend.calls.native.get(kernel) ?? 0) > (before.get(kernel) ?? 0), `${kernel} ran natively`);
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
  it('MLP 784-64-64-10, batch 16', async () => {
    await expectSameTraining({ build: mlp, inputShape: [784], batchSize: 16 }, ['BatchMatMul']);
  });
  it('CNN conv-pool-conv-pool-dense-dense, batch 8', async () => {
    await expectSameTraining({ build: smallCnn, inputShape: [28, 28, 1], batchSize: 8 }, ['BatchMatMul']);
  });
});
