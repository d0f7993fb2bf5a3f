import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { expectKernelMatchesCpu, randomTensor } from '../testing/compare-with-cpu.js';
import type { NativeBackend } from '../native-backend.js';
import { SOFTMAX_CROSS_ENTROPY, SOFTMAX_CROSS_ENTROPY_GRAD } from './softmax-cross-entropy.js';

// Error bound for every comparison here (absolute, scaled by max(1, |expected|)). The
// kernels follow tfjs's float32 rounding steps, so the measured error is ~1e-7 at most.
const TOLERANCE = 1e-6;

const forward = (logits: tf.Tensor, labels: tf.Tensor) =>
  tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { logits, labels }) as tf.Tensor[];

/** Soft labels: each row a probability distribution. */
function softLabels(shape: number[], seed: number): tf.Tensor {
  return tf.softmax(randomTensor(shape, seed, 3));
}

function oneHotLabels(batch: number, classes: number, seed: number): tf.Tensor {
  if (classes === 1) return tf.ones([batch, 1]);
  const indices = tf.randomUniform([batch], 0, classes, 'int32', seed) as tf.Tensor1D;
  return tf.cast(tf.oneHot(indices, classes), 'float32');
}

/** tfjs's own per-row loss, the reference for the kernel's first output. */
function tfjsRowLoss(labels: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0, tf.Reduction.NONE);
}

async function nativeBackend(): Promise<NativeBackend> {
  await tf.setBackend('native');
  return tf.findBackend('native') as NativeBackend;
}

/** Largest |a - e| / max(1, |e|) over two equally long lists. */
function maxScaledError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i])) assert.ok(Number.isNaN(actual[i]), `[${i}] expected NaN`);
    else worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  }
  return worst;
}

const shapes: Array<[string, number, number, number]> = [
  // name, batch, classes, logit scale
  ['batch 1, 1 class', 1, 1, 1],
  ['batch 1, odd classes', 1, 7, 3],
  ['batch 32, 10 classes', 32, 10, 5],
  ['odd sizes', 33, 17, 2],
  ['large logits (+-1000)', 9, 5, 1000],
];

describe('UnforgetSoftmaxCrossEntropy: native vs cpu', () => {
  for (const [name, batch, classes, scale] of shapes) {
    it(`${name}, soft labels`, async () => {
      await expectKernelMatchesCpu(
        () => forward(randomTensor([batch, classes], 1, scale), softLabels([batch, classes], 2)),
        TOLERANCE,
      );
    });
    it(`${name}, one-hot labels`, async () => {
      await expectKernelMatchesCpu(
        () => forward(randomTensor([batch, classes], 3, scale), oneHotLabels(batch, classes, 4)),
        TOLERANCE,
      );
    });
  }

  it('matches tfjs softmaxCrossEntropy (per row) and softmax on both backends', async () => {
    for (const backend of ['cpu', 'native']) {
      await tf.setBackend(backend);
      tf.tidy(() => {
        for (const [, batch, classes, scale] of shapes) {
          const logits = randomTensor([batch, classes], 5, scale);
          const labels = softLabels([batch, classes], 6);
          const [loss, probs] = forward(logits, labels);
          const lossError = maxScaledError(loss.dataSync(), tfjsRowLoss(labels, logits).dataSync());
          assert.ok(lossError <= TOLERANCE, `${backend} loss error ${lossError}`);
          const probError = maxScaledError(probs.dataSync(), tf.softmax(logits).dataSync());
          assert.ok(probError <= TOLERANCE, `${backend} probs error ${probError}`);
        }
      });
    }
  });

  it('propagates NaN and infinities like tfjs', async () => {
    for (const backend of ['cpu', 'native']) {
      await tf.setBackend(backend);
      tf.tidy(() => {
        const logits = tf.tensor2d([
          [NaN, 1, 2],
          [Infinity, 0, 1],
          [-Infinity, 0, 1],
        ]);
        const labels = tf.tensor2d([
          [0, 1, 0],
          [1, 0, 0],
          [0, 0, 1],
        ]);
        const [loss] = forward(logits, labels);
        const expected = tfjsRowLoss(labels, logits).dataSync();
        const actual = loss.dataSync();
        for (let i = 0; i < 3; i++) {
          assert.ok(
            Object.is(actual[i], expected[i]) || actual[i] === expected[i],
            `${actual[i]} vs ${expected[i]}`,
          );
        }
      });
    }
  });

  it('runs natively for float32 inputs', async () => {
    const backend = await nativeBackend();
    const before = backend.calls.native.get(SOFTMAX_CROSS_ENTROPY) ?? 0;
    tf.tidy(() => forward(randomTensor([4, 3], 1), softLabels([4, 3], 2)));
    assert.equal(backend.calls.native.get(SOFTMAX_CROSS_ENTROPY), before + 1);
  });

  it('falls back to the JS kernel for int32 labels, with the same result', async () => {
    const backend = await nativeBackend();
    const before = backend.calls.fallback.get(SOFTMAX_CROSS_ENTROPY) ?? 0;
    await expectKernelMatchesCpu(
      () => forward(randomTensor([6, 4], 1, 4), tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32'), 4)),
      TOLERANCE,
    );
    assert.equal(backend.calls.fallback.get(SOFTMAX_CROSS_ENTROPY), before + 1);
  });

  it('leaks no tensor', async () => {
    for (const backend of ['cpu', 'native']) {
      await tf.setBackend(backend);
      const logits = randomTensor([5, 4], 1);
      const labels = softLabels([5, 4], 2);
      const before = tf.memory().numTensors;
      const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(forward(x, y)[0]))([logits, labels]);
      tf.dispose(grads);
      tf.tidy(() => {
        forward(logits, labels);
      });
      assert.equal(tf.memory().numTensors, before, backend);
      tf.dispose([logits, labels]);
    }
  });
});

describe('UnforgetSoftmaxCrossEntropyGrad: native vs cpu', () => {
  const grad = (dy: tf.Tensor, probs: tf.Tensor, labels: tf.Tensor, divisor: number) =>
    tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY_GRAD, { dy, probs, labels }, { divisor }) as tf.Tensor[];
  it('one dy per row', async () => {
    await expectKernelMatchesCpu(
      () => grad(randomTensor([7], 1), softLabels([7, 5], 2), softLabels([7, 5], 3), 1),
      TOLERANCE,
    );
  });
  it('one dy for every row, divided (the mean)', async () => {
    await expectKernelMatchesCpu(
      () => grad(tf.scalar(1.5), softLabels([7, 5], 2), oneHotLabels(7, 5, 3), 7),
      TOLERANCE,
    );
  });
  it('runs natively', async () => {
    const backend = await nativeBackend();
    const before = backend.calls.native.get(SOFTMAX_CROSS_ENTROPY_GRAD) ?? 0;
    tf.tidy(() => grad(tf.scalar(1), softLabels([2, 3], 1), softLabels([2, 3], 2), 2));
    assert.equal(backend.calls.native.get(SOFTMAX_CROSS_ENTROPY_GRAD), before + 1);
  });
});

describe('registered gradient of UnforgetSoftmaxCrossEntropy', () => {
  for (const [name, batch, classes, scale] of shapes) {
    it(`matches tfjs's gradients for logits and labels: ${name}`, async () => {
      for (const backend of ['cpu', 'native']) {
        const weights = () => randomTensor([batch], 9); // a non-uniform dy per row
        const run = (lossOf: (labels: tf.Tensor, logits: tf.Tensor) => tf.Tensor) => async () => {
          await tf.setBackend('cpu');
          const out = tf.tidy(() => {
            const logits = randomTensor([batch, classes], 7, scale);
            const labels = softLabels([batch, classes], 8);
            const w = weights();
            return tf.grads((y: tf.Tensor, x: tf.Tensor) => tf.sum(tf.mul(lossOf(y, x), w)))([
              labels,
              logits,
            ]);
          });
          const values = out.map((t) => Array.from(t.dataSync()));
          tf.dispose(out);
          return values;
        };
        const expected = await run(tfjsRowLoss)();
        await tf.setBackend(backend);
        const actual = tf.tidy(() => {
          const logits = randomTensor([batch, classes], 7, scale);
          const labels = softLabels([batch, classes], 8);
          const w = weights();
          return tf.grads((y: tf.Tensor, x: tf.Tensor) => tf.sum(tf.mul(forward(x, y)[0], w)))([
            labels,
            logits,
          ]);
        });
        const [dLabels, dLogits] = actual.map((t) => t.dataSync());
        assert.ok(maxScaledError(dLogits, expected[1]) <= TOLERANCE, `${backend} logits`);
        assert.ok(maxScaledError(dLabels, expected[0]) <= TOLERANCE, `${backend} labels`);
        tf.dispose(actual);
      }
    });
  }

  it('differentiates through the probabilities output as tf.softmax does', async () => {
    await expectKernelMatchesCpu(() => {
      const logits = randomTensor([6, 5], 1, 2);
      const labels = softLabels([6, 5], 2);
      const w = randomTensor([6, 5], 3);
      return tf.grad((x: tf.Tensor) =>
        tf.add(tf.sum(forward(x, labels)[0]), tf.sum(tf.mul(forward(x, labels)[1], w))),
      )(logits);
    }, TOLERANCE);
    // And the probabilities' part alone equals tf.softmax's gradient.
    await tf.setBackend('cpu');
    tf.tidy(() => {
      const logits = randomTensor([6, 5], 1, 2);
      const labels = softLabels([6, 5], 2);
      const w = randomTensor([6, 5], 3);
      const ours = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(forward(x, labels)[1], w)))(logits);
      const ref = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), w)))(logits);
      assert.ok(maxScaledError(ours.dataSync(), ref.dataSync()) <= TOLERANCE);
    });
  });
});
