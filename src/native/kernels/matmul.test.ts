import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { expectKernelMatchesCpu, randomTensor } from '../testing/compare-with-cpu.js';
import { loadAddon } from '../addon-loader.js';

const load = loadAddon();
const gemms = load.ok ? load.addon.gemms : [];

// Every GEMM the build has (the portable one, and OpenBLAS where linked) runs the same cases.
for (const gemm of gemms) {
  describe(`native BatchMatMul / _FusedMatMul vs cpu, on the ${gemm} GEMM`, () => {
    const addon = load.ok ? load.addon : null;
    const initial = addon?.gemm;
    // The backend sets its default GEMM when tfjs creates it: create it first, then switch.
    before(async () => {
      await tf.setBackend('native');
      addon?.setGemm(gemm);
    });
    after(() => initial && addon?.setGemm(initial));
    const cases: Array<[string, number[], number[], boolean, boolean]> = [
      ['2d', [7, 5], [5, 3], false, false],
      ['transpose a', [5, 7], [5, 3], true, false],
      ['transpose b', [7, 5], [3, 5], false, true],
      ['transpose both', [5, 7], [3, 5], true, true],
      ['batched', [4, 6, 9], [4, 9, 2], false, false],
      ['broadcast batch of a', [1, 6, 9], [4, 9, 2], false, false],
      ['broadcast batch of b', [3, 2, 6, 9], [9, 5], false, false],
      ['odd sizes', [33, 65], [65, 17], false, false],
      ['empty k', [3, 0], [0, 4], false, false],
    ];
    for (const [name, sa, sb, ta, tb] of cases) {
      it(name, async () => {
        // 'auto' reads back as 'portable' in a build without a BLAS.
        assert.ok(
          addon?.gemm === gemm || (gemm === 'auto' && addon?.gemm === 'portable'),
          `running on ${addon?.gemm}`,
        );
        await expectKernelMatchesCpu(() => tf.matMul(randomTensor(sa, 1), randomTensor(sb, 2), ta, tb), 1e-5);
      });
    }
    const activations = ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid'] as const;
    for (const activation of activations) {
      it(`fused bias + ${activation}`, async () => {
        await expectKernelMatchesCpu(
          () =>
            tf.fused.matMul({
              a: randomTensor([8, 12], 3),
              b: randomTensor([12, 6], 4),
              bias: randomTensor([6], 5),
              activation,
              leakyreluAlpha: 0.1,
            }),
          1e-5,
        );
      });
    }
    it('fused with a full-matrix bias and a transposed b', async () => {
      await expectKernelMatchesCpu(
        () =>
          tf.fused.matMul({
            a: randomTensor([8, 12], 3),
            b: randomTensor([6, 12], 4),
            transposeB: true,
            bias: randomTensor([8, 6], 6),
            activation: 'relu',
          }),
        1e-5,
      );
    });
    it('gradients of a fused matmul (as tfjs-layers trains)', async () => {
      await expectKernelMatchesCpu(() => {
        const a = randomTensor([16, 10], 7);
        const b = randomTensor([10, 4], 8);
        const bias = randomTensor([4], 9);
        const g = tf.grads((x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: c, activation: 'relu' })),
        );
        return g([a, b, bias]);
      }, 1e-5);
    });
  });
}
