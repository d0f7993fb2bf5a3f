import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { expectKernelMatchesCpu, randomTensor } from '../testing/compare-with-cpu.js';
import type { NativeBackend } from '../native-backend.js';

// A max copies values: it must match exactly. Sums (averages, and the max's gradient where
// overlapping windows share a maximum) run in float32 where the cpu kernels sum in float64:
// measured max errors 1.2e-7 (average, its gradient) and 3.4e-7 (max gradient, 3x3 windows
// at stride 1).
const SUM_TOLERANCE = 2e-6;

type Pad =
  'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

interface PoolCase {
  name: string;
  x: [number, number, number, number];
  filter: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const cases: PoolCase[] = [
  { name: 'filter 2, stride 2, valid', x: [2, 8, 8, 3], filter: 2, strides: 2, pad: 'valid' },
  { name: 'filter 2, stride 2, valid, odd sizes', x: [3, 7, 9, 5], filter: 2, strides: 2, pad: 'valid' },
  { name: 'filter 2, stride 2, same, odd sizes', x: [1, 7, 9, 4], filter: 2, strides: 2, pad: 'same' },
  { name: 'filter 3, stride 1, same', x: [2, 6, 7, 3], filter: 3, strides: 1, pad: 'same' },
  { name: 'filter 3, stride 2, same', x: [2, 9, 8, 6], filter: 3, strides: 2, pad: 'same' },
  { name: 'filter 3, stride 1, valid', x: [1, 6, 6, 2], filter: 3, strides: 1, pad: 'valid' },
  { name: 'filter [2, 3], strides [1, 2]', x: [2, 7, 8, 3], filter: [2, 3], strides: [1, 2], pad: 'same' },
  { name: 'C=1', x: [2, 9, 9, 1], filter: 3, strides: 2, pad: 'same' },
  { name: 'benchmark CNN, batch 5', x: [5, 26, 26, 32], filter: 2, strides: 2, pad: 'valid' },
  // Large enough to be split across threads (when the thread setting allows).
  { name: 'benchmark CNN, batch 16', x: [16, 26, 26, 32], filter: 2, strides: 2, pad: 'valid' },
  { name: 'overlapping windows, batch 8', x: [8, 20, 20, 32], filter: 3, strides: 1, pad: 'same' },
  {
    name: 'explicit asymmetric padding',
    x: [2, 6, 7, 3],
    filter: 3,
    strides: 1,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  {
    name: 'numeric pad, ceil rounding',
    x: [1, 8, 8, 3],
    filter: 3,
    strides: 2,
    pad: 1,
    dimRoundingMode: 'ceil',
  },
];

type PoolOp = 'max' | 'avg';

function pool(op: PoolOp, c: PoolCase, x: tf.Tensor): tf.Tensor4D {
  const f = op === 'max' ? tf.maxPool : tf.avgPool;
  return f(x as tf.Tensor4D, c.filter, c.strides, c.pad, c.dimRoundingMode);
}

/** Values with many ties (integers in [-2, 2]), so that the max's tie rule matters. */
function tiedTensor(shape: number[], seed: number): tf.Tensor {
  return tf.round(randomTensor(shape, seed, 2));
}

function native(): NativeBackend {
  return tf.findBackend('native') as NativeBackend;
}

async function countCalls(
  kernel: string,
  f: () => Promise<unknown>,
): Promise<{ native: number; fallback: number }> {
  await tf.setBackend('native');
  const get = () => ({
    native: native().calls.native.get(kernel) ?? 0,
    fallback: native().calls.fallback.get(kernel) ?? 0,
  });
  const before = get();
  await f();
  const after = get();
  return { native: after.native - before.native, fallback: after.fallback - before.fallback };
}

for (const op of ['max', 'avg'] as const) {
  const kernel = op === 'max' ? 'MaxPool' : 'AvgPool';
  const gradKernel = op === 'max' ? 'MaxPoolGrad' : 'AvgPoolGrad';
  const tolerance = op === 'max' ? 0 : SUM_TOLERANCE;

  describe(`native ${kernel} vs cpu`, () => {
    for (const c of cases) {
      it(c.name, async (t) => {
        const calls = await countCalls(kernel, async () => {
          const err = await expectKernelMatchesCpu(() => pool(op, c, randomTensor(c.x, 1)), tolerance);
          t.diagnostic(`max error ${err.toExponential(1)}`);
        });
        assert.equal(calls.native, 1);
      });
    }

    it('ties, NaN and -Infinity', async () => {
      await expectKernelMatchesCpu(() => {
        const x = tiedTensor([2, 8, 8, 5], 4);
        const nan = tf.greater(randomTensor(x.shape, 5), 0.8);
        const negInf = tf.greater(randomTensor(x.shape, 6), 0.7);
        const special = tf.where(
          nan,
          tf.fill(x.shape, NaN),
          tf.where(negInf, tf.fill(x.shape, -Infinity), x),
        );
        return [pool(op, cases[3], special), pool(op, cases[0], special)];
      }, tolerance);
    });

    it('a 1x1 window that keeps the shape is left to the cpu identity', async () => {
      const calls = await countCalls(kernel, () =>
        expectKernelMatchesCpu(
          () => pool(op, { ...cases[0], filter: 1, strides: 1 }, randomTensor([1, 4, 4, 2], 1)),
          0,
        ),
      );
      assert.deepEqual(calls, { native: 0, fallback: 1 });
    });
  });

  describe(`native ${gradKernel} vs cpu`, () => {
    for (const c of cases) {
      it(`grad of sum(${op}Pool(x) * r): ${c.name}`, async (t) => {
        const calls = await countCalls(gradKernel, async () => {
          const err = await expectKernelMatchesCpu(() => {
            const x = op === 'max' ? tiedTensor(c.x, 1) : randomTensor(c.x, 1);
            const r = randomTensor(pool(op, c, x).shape, 2);
            return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(op, c, a), r)))(x);
          }, SUM_TOLERANCE);
          t.diagnostic(`max error ${err.toExponential(1)}`);
        });
        // tfjs drops the rounding mode in pool gradients; that shape mismatch falls back.
        if (c.dimRoundingMode) assert.deepEqual(calls, { native: 0, fallback: 1 });
        else assert.equal(calls.native, 1);
      });
    }

    it('grad with ties, NaN and -Infinity in the input', async () => {
      await expectKernelMatchesCpu(() => {
        const x0 = tiedTensor([2, 8, 8, 5], 4);
        const nan = tf.greater(randomTensor(x0.shape, 5), 0.8);
        const negInf = tf.greater(randomTensor(x0.shape, 6), 0.7);
        const x = tf.where(nan, tf.fill(x0.shape, NaN), tf.where(negInf, tf.fill(x0.shape, -Infinity), x0));
        const r = randomTensor([2, 8, 8, 5], 7);
        return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(op, cases[3], a), r)))(x);
      }, SUM_TOLERANCE);
    });
  });
}
