import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { randomTensor } from '../testing/compare-with-cpu.js';
import { expectFallbackMatchesCpu, expectNativeMatchesCpu } from '../testing/reduce.js';

/** Every permutation of 0..n-1. */
function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
  );
}

/** A random permutation of 0..n-1 from a seed. */
function randomPermutation(n: number, seed: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

// Transpose moves values: native and cpu must agree exactly.
describe('native Transpose vs cpu', () => {
  const shapes = [
    [3, 4],
    [2, 3, 4],
    [2, 3, 4, 5],
    [2, 3, 1, 4, 2],
    [1, 5, 1, 3],
    [1, 1],
    [4, 1],
  ];
  for (const shape of shapes) {
    it(`[${shape}] under every permutation`, async () => {
      for (const perm of permutations(shape.length)) {
        await expectNativeMatchesCpu(
          'Transpose',
          () => tf.transpose(randomTensor(shape, 7), perm),
          0,
          `perm ${perm}`,
        );
      }
    });
  }

  it('larger 2-D and batched 2-D (full and partial tiles)', async () => {
    const cases: Array<[number[], number[]]> = [
      [
        [67, 45],
        [1, 0],
      ],
      [
        [128, 256],
        [1, 0],
      ],
      [
        [3, 33, 70],
        [0, 2, 1],
      ],
      [
        [33, 70, 3],
        [2, 0, 1],
      ],
      [
        [16, 9, 9, 32],
        [0, 3, 1, 2],
      ], // NHWC -> NCHW
      [
        [16, 32, 9, 9],
        [0, 2, 3, 1],
      ], // NCHW -> NHWC
      [
        [5, 6, 7, 8, 9],
        [4, 3, 2, 1, 0],
      ],
    ];
    for (const [shape, perm] of cases) {
      await expectNativeMatchesCpu(
        'Transpose',
        () => tf.transpose(randomTensor(shape, 3), perm),
        0,
        `[${shape}] ${perm}`,
      );
    }
  });

  it('ranks 6 and 7 under random permutations', async () => {
    for (const shape of [
      [2, 3, 1, 2, 4, 3],
      [2, 1, 2, 3, 1, 2, 2],
    ]) {
      for (let seed = 1; seed <= 10; seed++) {
        const perm = randomPermutation(shape.length, seed);
        await expectNativeMatchesCpu(
          'Transpose',
          () => tf.transpose(randomTensor(shape, seed), perm),
          0,
          `perm ${perm}`,
        );
      }
    }
  });

  it('empty tensors', async () => {
    await expectNativeMatchesCpu('Transpose', () => tf.transpose(tf.zeros([0, 3])), 0, '[0, 3]');
    await expectNativeMatchesCpu(
      'Transpose',
      () => tf.transpose(tf.zeros([2, 0, 3]), [2, 0, 1]),
      0,
      '[2, 0, 3]',
    );
  });

  it('int32 keeps its dtype', async () => {
    const ints = (shape: number[]) => tf.cast(tf.mul(randomTensor(shape, 5), 1000), 'int32');
    for (const [shape, perm] of [
      [
        [3, 4],
        [1, 0],
      ],
      [
        [2, 3, 4],
        [2, 0, 1],
      ],
      [
        [40, 50],
        [1, 0],
      ],
      [
        [2, 3, 4, 5],
        [0, 2, 1, 3],
      ],
    ] as Array<[number[], number[]]>) {
      await expectNativeMatchesCpu('Transpose', () => tf.transpose(ints(shape), perm), 0, `int32 [${shape}]`);
    }
  });

  it('bool falls back to the JS kernel', async () => {
    await expectFallbackMatchesCpu('Transpose', () =>
      tf.transpose(tf.tensor([true, false, true, true, false, false], [2, 3], 'bool')),
    );
  });
});
