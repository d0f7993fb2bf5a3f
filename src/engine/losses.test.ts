import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from './tf.js';
import { registerNativeBackend } from '../native/register.js';
import type { NativeBackend } from '../native/native-backend.js';
import {
  SOFTMAX_CROSS_ENTROPY,
  SOFTMAX_CROSS_ENTROPY_GRAD,
} from '../native/kernels/softmax-cross-entropy.js';
import { softmaxCrossEntropy } from './losses.js';

const registration = registerNativeBackend();
if (!registration.ok) throw new Error(`native backend unavailable in tests: ${registration.reason}`);

// Loss and gradient bound: |ours - tfjs| <= 1e-6 * max(1, |tfjs|). Measured: 0 (the fused
// kernels round like tfjs's own ops step by step).
const TOLERANCE = 1e-6;

type Case = { name: string; shape: number[]; scale: number; oneHot: boolean };
const cases: Case[] = [
  { name: 'batch 32, 10 classes, one-hot', shape: [32, 10], scale: 4, oneHot: true },
  { name: 'batch 32, 10 classes, soft labels', shape: [32, 10], scale: 4, oneHot: false },
  { name: 'batch 1, one-hot', shape: [1, 6], scale: 2, oneHot: true },
  { name: 'batch 1, soft labels', shape: [1, 6], scale: 2, oneHot: false },
  { name: 'odd class count (7), one-hot', shape: [5, 7], scale: 3, oneHot: true },
  { name: 'odd class count (13), soft labels', shape: [9, 13], scale: 3, oneHot: false },
  { name: 'logits +-1000, one-hot', shape: [8, 5], scale: 1000, oneHot: true },
  { name: 'logits +-1000, soft labels', shape: [8, 5], scale: 1000, oneHot: false },
  { name: 'rank 3 (rows over the leading axes)', shape: [3, 4, 5], scale: 2, oneHot: false },
];

function inputs(c: Case): { labels: tf.Tensor; logits: tf.Tensor } {
  return tf.tidy(() => makeInputs(c));
}

function makeInputs({ shape, scale, oneHot }: Case): { labels: tf.Tensor; logits: tf.Tensor } {
  const logits = tf.randomUniform(shape, -scale, scale, 'float32', 11);
  const classes = shape[shape.length - 1];
  const rows = tf.util.sizeFromShape(shape) / classes;
  const indices = tf.randomUniform([rows], 0, classes, 'int32', 12) as tf.Tensor1D;
  const labels = oneHot
    ? tf.reshape(tf.cast(tf.oneHot(indices, classes), 'float32'), shape)
    : tf.softmax(tf.randomUniform(shape, -3, 3, 'float32', 13));
  return { labels, logits };
}

type LossFn = (labels: tf.Tensor, logits: tf.Tensor) => tf.Scalar;

/** Loss value and its gradient w.r.t. the logits, computed on `backend`. */
async function lossAndGrad(
  backend: string,
  c: Case,
  loss: LossFn,
): Promise<{ value: number; grad: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const { labels, logits } = inputs(c);
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => loss(labels, x))(logits);
    return { value: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
  });
}

function scaledError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
}

const tfjsLoss: LossFn = (labels, logits) => tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;

describe('softmaxCrossEntropy vs tf.losses.softmaxCrossEntropy on cpu', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const expected = await lossAndGrad('cpu', c, tfjsLoss);
      for (const backend of ['cpu', 'native']) {
        const actual = await lossAndGrad(backend, c, softmaxCrossEntropy);
        const lossError = scaledError(actual.value, expected.value);
        assert.ok(lossError <= TOLERANCE, `${backend}: loss ${actual.value} vs ${expected.value}`);
        assert.equal(actual.grad.length, expected.grad.length);
        for (let i = 0; i < expected.grad.length; i++) {
          const e = scaledError(actual.grad[i], expected.grad[i]);
          assert.ok(e <= TOLERANCE, `${backend}: grad[${i}] ${actual.grad[i]} vs ${expected.grad[i]}`);
        }
      }
    });
  }

  it('gives tfjs gradient for the labels too', async () => {
    const c = cases[1];
    const run = async (backend: string, loss: LossFn) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const { labels, logits } = inputs(c);
        return Array.from(
          tf
            .grad((y: tf.Tensor) => loss(y, logits))(labels)
            .dataSync(),
        );
      });
    };
    const expected = await run('cpu', tfjsLoss);
    for (const backend of ['cpu', 'native']) {
      const actual = await run(backend, softmaxCrossEntropy);
      actual.forEach((a, i) => assert.ok(scaledError(a, expected[i]) <= TOLERANCE, `${backend} [${i}]`));
    }
  });

  it('runs the fused kernels on native', async () => {
    await tf.setBackend('native');
    const backend = tf.backend() as NativeBackend;
    const count = (name: string) => backend.calls.native.get(name) ?? 0;
    const [forward, backward] = [count(SOFTMAX_CROSS_ENTROPY), count(SOFTMAX_CROSS_ENTROPY_GRAD)];
    await lossAndGrad('native', cases[0], softmaxCrossEntropy);
    assert.equal(count(SOFTMAX_CROSS_ENTROPY), forward + 1);
    assert.equal(count(SOFTMAX_CROSS_ENTROPY_GRAD), backward + 1);
  });

  it('leaks no tensor (forward alone, and with gradients)', async () => {
    for (const backend of ['cpu', 'native']) {
      await tf.setBackend(backend);
      const { labels, logits } = inputs(cases[0]);
      const before = tf.memory().numTensors;
      softmaxCrossEntropy(labels, logits).dispose();
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => softmaxCrossEntropy(labels, x))(logits);
      tf.dispose([value, grad]);
      const rank3 = inputs(cases[cases.length - 1]);
      const before3 = tf.memory().numTensors;
      tf.dispose(
        tf.grads((y: tf.Tensor, x: tf.Tensor) => softmaxCrossEntropy(y, x))([rank3.labels, rank3.logits]),
      );
      assert.equal(tf.memory().numTensors, before3, `${backend}: rank 3`);
      tf.dispose([rank3.labels, rank3.logits]);
      assert.equal(tf.memory().numTensors, before, backend);
      tf.dispose([labels, logits]);
    }
  });

  it('falls back to tfjs where the fused kernel is not registered', async () => {
    // A backend of its own: the cpu backend's kernels without the fused ones.
    const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu');
    const name = 'cpu-without-fused-loss';
    if (!tf.findBackend(name)) {
      tf.registerBackend(name, () => new MathBackendCPU());
      for (const kernel of tf.getKernelsForBackend('cpu')) {
        if (kernel.kernelName !== SOFTMAX_CROSS_ENTROPY && kernel.kernelName !== SOFTMAX_CROSS_ENTROPY_GRAD) {
          tf.registerKernel({ ...kernel, backendName: name });
        }
      }
    }
    const expected = await lossAndGrad('cpu', cases[1], tfjsLoss);
    const actual = await lossAndGrad(name, cases[1], softmaxCrossEntropy);
    assert.ok(tf.getKernel(SOFTMAX_CROSS_ENTROPY, name) == null);
    assert.equal(actual.value, expected.value);
    assert.deepEqual(actual.grad, expected.grad);
    await tf.setBackend('cpu');
  });

  it('rejects mismatched shapes as tfjs does', async () => {
    await tf.setBackend('native');
    tf.tidy(() => {
      assert.throws(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 4])), /softmaxCrossEntropy/);
    });
  });
});
