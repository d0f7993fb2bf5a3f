import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { expectKernelMatchesCpu, randomTensor } from '../testing/compare-with-cpu.js';
import type { NativeBackend } from '../native-backend.js';

// Measured max errors (relative, scaled by max(1, |expected|)) on these cases: forward
// 1.1e-5 (a 576-value window), fused 1.2e-7, gradients 1.1e-5. The addon sums in float32 in
// its own order (register blocks, GEMM) where the cpu kernels sum in float32 in window order
// (forward) or in float64 (gradients), so the bounds leave some margin.
const FORWARD_TOLERANCE = 5e-5;
const GRADIENT_TOLERANCE = 5e-5;

type Pad =
  'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const explicitPad: Pad = [
  [0, 0],
  [1, 2],
  [0, 1],
  [0, 0],
];

const convCases: ConvCase[] = [
  { name: 'stride 1, same', x: [2, 9, 9, 3], w: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: 'stride 2, valid', x: [1, 9, 9, 3], w: [3, 3, 3, 5], strides: 2, pad: 'valid' },
  { name: 'stride 2, same, odd sizes', x: [1, 7, 11, 5], w: [3, 3, 5, 6], strides: 2, pad: 'same' },
  { name: 'strides [1, 2], valid', x: [2, 8, 9, 4], w: [2, 3, 4, 3], strides: [1, 2], pad: 'valid' },
  { name: 'explicit asymmetric padding', x: [2, 8, 7, 3], w: [3, 2, 3, 4], strides: 1, pad: explicitPad },
  { name: '1x1 pointwise', x: [5, 6, 6, 8], w: [1, 1, 8, 16], strides: 1, pad: 'valid' },
  {
    name: '1x1 stride 2 (pixels no window reads)',
    x: [2, 7, 7, 4],
    w: [1, 1, 4, 3],
    strides: 2,
    pad: 'valid',
  },
  { name: 'stride 3 > filter 2', x: [1, 10, 11, 3], w: [2, 2, 3, 2], strides: 3, pad: 'valid' },
  { name: 'C=1, 3x3x32 (first layer)', x: [5, 28, 28, 1], w: [3, 3, 1, 32], strides: 1, pad: 'valid' },
  { name: 'C=1, 5x5 stride 2 same', x: [1, 9, 9, 1], w: [5, 5, 1, 8], strides: 2, pad: 'same' },
  {
    name: 'batch 5, 3x3x32x64 (second layer)',
    x: [5, 13, 13, 32],
    w: [3, 3, 32, 64],
    strides: 1,
    pad: 'valid',
  },
  { name: 'several im2col chunks', x: [4, 30, 30, 16], w: [3, 3, 16, 8], strides: 1, pad: 'same' },
  { name: 'window covers the whole image', x: [3, 4, 5, 6], w: [4, 5, 6, 7], strides: 1, pad: 'valid' },
  { name: 'OC=20: a register block and a tail', x: [2, 10, 9, 2], w: [3, 3, 2, 20], strides: 1, pad: 'same' },
  {
    name: '3x3x32 -> 40, same (large window, tail)',
    x: [2, 12, 11, 32],
    w: [3, 3, 32, 40],
    strides: 1,
    pad: 'same',
  },
  { name: '3x3x16 -> 32, stride 2, same', x: [2, 15, 15, 16], w: [3, 3, 16, 32], strides: 2, pad: 'same' },
  {
    name: 'wide rows, every window in the padding',
    x: [1, 3, 300, 1],
    w: [5, 3, 1, 16],
    strides: 1,
    pad: 'same',
  },
  { name: 'wide rows, 5x3x20 -> 17', x: [1, 3, 150, 20], w: [5, 3, 20, 17], strides: 1, pad: 'same' },
  // A filter over the direct loops' size limit: im2col + GEMM.
  { name: '3x3x64 -> 232 (im2col + GEMM)', x: [2, 7, 6, 64], w: [3, 3, 64, 232], strides: 1, pad: 'same' },
  {
    name: 'numeric pad with ceil rounding',
    x: [1, 8, 8, 3],
    w: [3, 3, 3, 2],
    strides: 2,
    pad: 1,
    dimRoundingMode: 'ceil',
  },
];

const dilatedCases: ConvCase[] = [
  { name: 'dilation 2, same', x: [2, 10, 10, 3], w: [3, 3, 3, 4], strides: 1, pad: 'same', dilations: 2 },
  {
    name: 'dilation [2, 1], valid',
    x: [1, 9, 8, 2],
    w: [3, 2, 2, 3],
    strides: 1,
    pad: 'valid',
    dilations: [2, 1],
  },
  { name: 'dilation 2, C=1', x: [2, 12, 12, 1], w: [3, 3, 1, 4], strides: 1, pad: 'valid', dilations: 2 },
];

function conv(c: ConvCase, x: tf.Tensor, w: tf.Tensor): tf.Tensor4D {
  return tf.conv2d(
    x as tf.Tensor4D,
    w as tf.Tensor4D,
    c.strides,
    c.pad,
    'NHWC',
    c.dilations ?? 1,
    c.dimRoundingMode,
  );
}

function native(): NativeBackend {
  return tf.findBackend('native') as NativeBackend;
}

/** Runs `f` and returns how many calls of `kernel` it served natively and by fallback. */
async function countCalls(
  kernel: string,
  f: () => Promise<unknown>,
): Promise<{ native: number; fallback: number }> {
  await tf.setBackend('native');
  const before = {
    native: native().calls.native.get(kernel) ?? 0,
    fallback: native().calls.fallback.get(kernel) ?? 0,
  };
  await f();
  return {
    native: (native().calls.native.get(kernel) ?? 0) - before.native,
    fallback: (native().calls.fallback.get(kernel) ?? 0) - before.fallback,
  };
}

/**
 * Runs the suite with the thread setting at 1 and at 2: the direct loops split their work
 * across threads in the second (and the GEMM runs on 2 threads).
 */
function withGemmThreads(threads: number): void {
  let saved = 0;
  before(async () => {
    await tf.setBackend('native');
    saved = native().addon.getNumThreads();
    native().addon.setNumThreads(threads);
  });
  after(() => native().addon.setNumThreads(saved));
}

const gemmThreads = [1, 2];

for (const threads of gemmThreads)
  describe(`native Conv2D vs cpu (GEMM threads: ${threads})`, () => {
    withGemmThreads(threads);
    for (const c of [...convCases, ...dilatedCases]) {
      it(c.name, async (t) => {
        const calls = await countCalls('Conv2D', async () => {
          const err = await expectKernelMatchesCpu(
            () => conv(c, randomTensor(c.x, 1), randomTensor(c.w, 2)),
            FORWARD_TOLERANCE,
          );
          t.diagnostic(`max error ${err.toExponential(1)}`);
        });
        assert.equal(calls.native, 1);
      });
    }

    it('NCHW falls back to the cpu kernel and is correct', async () => {
      const calls = await countCalls('Conv2D', () =>
        expectKernelMatchesCpu(
          () =>
            tf.conv2d(
              randomTensor([2, 3, 9, 9], 1) as tf.Tensor4D,
              randomTensor([3, 3, 3, 4], 2) as tf.Tensor4D,
              1,
              'same',
              'NCHW',
            ),
          FORWARD_TOLERANCE,
        ),
      );
      assert.deepEqual(calls, { native: 0, fallback: 1 });
    });
  });

describe('native FusedConv2D vs cpu', () => {
  const activations = ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid'] as const;
  for (const activation of activations) {
    for (const c of [convCases[0], convCases[8], convCases[10]]) {
      it(`bias + ${activation}, ${c.name}`, async (t) => {
        const calls = await countCalls('FusedConv2D', async () => {
          const err = await expectKernelMatchesCpu(
            () =>
              tf.fused.conv2d({
                x: randomTensor(c.x, 1) as tf.Tensor4D,
                filter: randomTensor(c.w, 2) as tf.Tensor4D,
                strides: c.strides,
                pad: c.pad,
                bias: randomTensor([c.w[3]], 3),
                activation,
                leakyreluAlpha: 0.1,
              }),
            FORWARD_TOLERANCE,
          );
          t.diagnostic(`max error ${err.toExponential(1)}`);
        });
        assert.equal(calls.native, 1);
      });
    }
  }

  it('no bias, bias of shape [1, 1, OC]', async () => {
    const calls = await countCalls('FusedConv2D', () =>
      expectKernelMatchesCpu(() => {
        const x = randomTensor([2, 6, 6, 3], 1) as tf.Tensor4D;
        const filter = randomTensor([3, 3, 3, 4], 2) as tf.Tensor4D;
        return [
          tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', activation: 'relu' }),
          tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias: randomTensor([1, 1, 4], 3) }),
        ];
      }, FORWARD_TOLERANCE),
    );
    assert.equal(calls.native, 2);
  });

  it('prelu and a full-shape bias fall back and are correct', async () => {
    const calls = await countCalls('FusedConv2D', () =>
      expectKernelMatchesCpu(() => {
        const x = randomTensor([2, 6, 6, 3], 1) as tf.Tensor4D;
        const filter = randomTensor([3, 3, 3, 4], 2) as tf.Tensor4D;
        return [
          tf.fused.conv2d({
            x,
            filter,
            strides: 1,
            pad: 'same',
            bias: randomTensor([4], 3),
            activation: 'prelu',
            preluActivationWeights: randomTensor([4], 4),
          }),
          tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias: randomTensor([6, 6, 4], 5) }),
        ];
      }, FORWARD_TOLERANCE),
    );
    assert.deepEqual(calls, { native: 0, fallback: 2 });
  });
});

for (const threads of gemmThreads)
  describe(`native Conv2DBackpropInput / Conv2DBackpropFilter vs cpu (GEMM threads: ${threads})`, () => {
    withGemmThreads(threads);
    // tfjs's conv gradient drops dimRoundingMode, so dy does not have the shape the kernels'
    // geometry implies: those calls fall back (see the test below).
    for (const c of convCases.filter((k) => !k.dimRoundingMode)) {
      it(`grads of sum(conv2d(x, w) * r): ${c.name}`, async (t) => {
        const inputCalls = await countCalls('Conv2DBackpropInput', async () => {
          const filterCalls = await countCalls('Conv2DBackpropFilter', async () => {
            const err = await expectKernelMatchesCpu(() => {
              const x = randomTensor(c.x, 1);
              const w = randomTensor(c.w, 2);
              const r = randomTensor(conv(c, x, w).shape, 3);
              return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(c, a, b), r)))([x, w]);
            }, GRADIENT_TOLERANCE);
            t.diagnostic(`max error ${err.toExponential(1)}`);
          });
          assert.equal(filterCalls.native, 1);
        });
        assert.equal(inputCalls.native, 1);
      });
    }

    it('grads of a fused conv with bias (linear, as a layer with a separate activation)', async () => {
      await expectKernelMatchesCpu(() => {
        const x = randomTensor([3, 8, 8, 4], 1);
        const w = randomTensor([3, 3, 4, 6], 2);
        const b = randomTensor([6], 3);
        const r = randomTensor([3, 4, 4, 6], 4);
        const f = (xa: tf.Tensor, wa: tf.Tensor, ba: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.fused.conv2d({
                x: xa as tf.Tensor4D,
                filter: wa as tf.Tensor4D,
                strides: 2,
                pad: 'same',
                bias: ba,
              }),
              r,
            ),
          );
        return tf.grads(f)([x, w, b]);
      }, GRADIENT_TOLERANCE);
    });

    it('gradients of a conv with a rounding mode fall back and are correct', async () => {
      const c = convCases.find((k) => k.dimRoundingMode)!;
      const calls = await countCalls('Conv2DBackpropInput', () =>
        expectKernelMatchesCpu(() => {
          const x = randomTensor(c.x, 1);
          const w = randomTensor(c.w, 2);
          const r = randomTensor(conv(c, x, w).shape, 3);
          return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(c, a, b), r)))([x, w]);
        }, GRADIENT_TOLERANCE),
      );
      assert.deepEqual(calls, { native: 0, fallback: 1 });
    });

    it('NCHW gradients fall back and are correct', async () => {
      const calls = await countCalls('Conv2DBackpropFilter', () =>
        expectKernelMatchesCpu(() => {
          const x = randomTensor([2, 3, 7, 7], 1);
          const w = randomTensor([3, 3, 3, 4], 2);
          const f = (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 'NCHW')));
          return tf.grads(f)([x, w]);
        }, GRADIENT_TOLERANCE),
      );
      assert.deepEqual(calls, { native: 0, fallback: 1 });
    });
  });
