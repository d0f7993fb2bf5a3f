import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { randomTensor } from '../testing/compare-with-cpu.js';
import { expectFallbackMatchesCpu, expectNativeMatchesCpu, tensorOf } from '../testing/reduce.js';

type Axis = number | number[] | null;
type ReduceFn = (x: tf.Tensor, axis: Axis, keepDims: boolean) => tf.Tensor;

const axisArg = (axis: Axis) => (axis === null ? undefined : axis);
const ops: Array<[string, string, ReduceFn, number]> = [
  // [name, kernel, op, tolerance (relative, scaled by max(1, |expected|))]
  ['sum', 'Sum', (x, a, k) => tf.sum(x, axisArg(a), k), 1e-6],
  ['mean', 'Mean', (x, a, k) => tf.mean(x, axisArg(a), k), 1e-6],
  ['prod', 'Prod', (x, a, k) => tf.prod(x, axisArg(a), k), 1e-6],
  ['max', 'Max', (x, a, k) => tf.max(x, axisArg(a), k), 0],
  ['min', 'Min', (x, a, k) => tf.min(x, axisArg(a), k), 0],
];

/** Axis choices for a rank: all, each axis (also negative), contiguous and gapped lists. */
function axisCases(rank: number): Axis[] {
  const cases: Axis[] = [null, []];
  for (let d = 0; d < rank; d++) cases.push(d, d - rank);
  for (let d = 0; d + 1 < rank; d++) cases.push([d, d + 1]);
  if (rank >= 3) cases.push([0, 2], [2, 0], [0, rank - 1], [-1, 0], [1, rank - 1]);
  if (rank >= 4) cases.push([1, 3], [0, 1, 3], [0, 2, 3]);
  if (rank >= 5) cases.push([0, 2, 4], [1, 2, 3], [-4, -2]);
  return cases;
}

const shapes = [[7], [3, 5], [4, 1, 6], [2, 3, 4, 5], [2, 3, 1, 4, 3], [3, 1, 5, 1]];

describe('native Sum / Mean / Prod / Max / Min vs cpu', () => {
  for (const [name, kernel, op, tolerance] of ops) {
    for (const shape of shapes) {
      it(`${name} of [${shape}] over every axis set, keepDims true and false`, async () => {
        for (const axis of axisCases(shape.length)) {
          for (const keepDims of [false, true]) {
            await expectNativeMatchesCpu(
              kernel,
              () => op(randomTensor(shape, 11, 2), axis, keepDims),
              tolerance,
              `${name} axis ${JSON.stringify(axis)} keepDims ${keepDims}`,
            );
          }
        }
      });
    }
    it(`${name} of odd and larger sizes (row and column paths, column blocks)`, async () => {
      const cases: Array<[number[], Axis]> = [
        [[33, 65], 1],
        [[33, 65], 0],
        [[256, 10], 0], // bias gradient of a dense layer
        [[1000, 600], 0], // more columns than one accumulator block
        [[3, 1000, 7], 1],
        [[5, 3, 1029], 2],
        [
          [17, 19, 23],
          [0, 2],
        ],
        [[1, 1, 1], null],
        [[], null],
      ];
      for (const [shape, axis] of cases) {
        // Prod of many values in [-1, 1] underflows; keep it to the short cases.
        const scale = name === 'prod' ? 1.2 : 1;
        await expectNativeMatchesCpu(
          kernel,
          () => op(randomTensor(shape, 5, scale), axis, false),
          tolerance,
          `${name} [${shape}] axis ${JSON.stringify(axis)}`,
        );
      }
    });
    it(`${name} of empty tensors`, async () => {
      const cases: Array<[number[], Axis]> = [
        [[0], null],
        [[3, 0], 1],
        [[3, 0], 0],
        [[0, 3], 0],
        [[0, 3], 1],
        [
          [2, 0, 3],
          [0, 2],
        ],
        [[2, 0, 3], null],
      ];
      for (const [shape, axis] of cases) {
        for (const keepDims of [false, true]) {
          await expectNativeMatchesCpu(
            kernel,
            () => op(tf.zeros(shape), axis, keepDims),
            0,
            `${name} [${shape}] axis ${JSON.stringify(axis)}`,
          );
        }
      }
    });
  }

  it('sums 1e5 values within 1e-6 of cpu (both accumulate in double)', async () => {
    let worst = 0;
    for (const [shape, axis, offset] of [
      [[100000], null, 0],
      [[100000], null, 0.5], // all positive: a large sum
      [[100000], null, 1000], // large values, small spread
      [[4, 100000], 1, 0],
      [[100000, 4], 0, 0.5],
    ] as Array<[number[], Axis, number]>) {
      const error = await expectNativeMatchesCpu(
        'Sum',
        () => tf.sum(tf.add(randomTensor(shape, 3), offset), axisArg(axis)),
        1e-6,
        `sum [${shape}] + ${offset}`,
      );
      worst = Math.max(worst, error);
    }
    // Both round one double sum to float32: at most one float32 ulp apart.
    assert.ok(worst <= 1.2e-7, `largest relative error ${worst}`);
  });

  it('gradients through max, mean and sum match cpu', async () => {
    await expectNativeMatchesCpu(
      'Max',
      () => {
        const x = randomTensor([6, 9], 21);
        const g = tf.grads((a: tf.Tensor) => tf.add(tf.sum(tf.max(a, 1)), tf.mean(tf.mul(a, a))));
        return g([x]);
      },
      1e-6,
      'grads',
    );
  });
});

/** A [rows, cols] matrix of random values with NaN / Inf patterns that differ by row. */
function specialValues(rows: number, cols: number): number[] {
  const values: number[] = [];
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, rand);
    const mid = Math.floor(cols / 2);
    switch (r % 10) {
      case 0:
        row[0] = NaN;
        break;
      case 1:
        row[cols - 1] = NaN;
        break;
      case 2:
        row[mid] = NaN;
        row[mid + 1] = Infinity;
        break;
      case 3:
        row[mid] = Infinity;
        row[cols - 1] = Infinity;
        break;
      case 4:
        row.fill(-Infinity);
        break;
      case 5:
        row.fill(NaN);
        break;
      case 6:
        row[0] = Infinity;
        row[1] = -Infinity;
        row[cols - 2] = NaN;
        break;
      case 7:
        row[mid] = -Infinity;
        break;
      case 8:
        row.fill(0);
        row[mid] = -0;
        break;
      default:
        break;
    }
    values.push(...row);
  }
  return values;
}

describe('native Max / Min / ArgMax / ArgMin with NaN and infinities (tfjs semantics)', () => {
  const kernels: Array<[string, (x: tf.Tensor, axis: number) => tf.Tensor]> = [
    ['Max', (x, a) => tf.max(x, a)],
    ['Min', (x, a) => tf.min(x, a)],
    ['ArgMax', (x, a) => tf.argMax(x, a)],
    ['ArgMin', (x, a) => tf.argMin(x, a)],
  ];
  for (const [kernel, op] of kernels) {
    for (const cols of [5, 40]) {
      it(`${kernel} over rows and columns of ${cols} values`, async () => {
        // Rows: the special patterns lie along the reduced axis.
        await expectNativeMatchesCpu(
          kernel,
          () => op(tensorOf(specialValues(10, cols), [10, cols]), 1),
          0,
          'rows',
        );
        // The same patterns along axis 0 of the transposed layout (the column path).
        await expectNativeMatchesCpu(
          kernel,
          () => op(tf.transpose(tensorOf(specialValues(10, cols), [10, cols])), 0),
          0,
          'columns',
        );
        await expectNativeMatchesCpu(
          kernel,
          () => op(tensorOf(specialValues(10, cols), [2, 5, cols]), 1),
          0,
          'middle axis',
        );
      });
    }
  }
});

describe('native ArgMax / ArgMin vs cpu', () => {
  const kernels: Array<[string, (x: tf.Tensor, axis: number) => tf.Tensor]> = [
    ['ArgMax', (x, a) => tf.argMax(x, a)],
    ['ArgMin', (x, a) => tf.argMin(x, a)],
  ];
  for (const [kernel, op] of kernels) {
    for (const shape of [[7], [3, 5], [4, 1, 6], [2, 3, 4, 5], [2, 3, 1, 4, 3], [3, 50], [40, 700]]) {
      it(`${kernel} of [${shape}] over every axis, with ties`, async () => {
        for (let axis = -shape.length; axis < shape.length; axis++) {
          await expectNativeMatchesCpu(kernel, () => op(randomTensor(shape, 8), axis), 0, `axis ${axis}`);
          // Few distinct values: the first extreme must win.
          await expectNativeMatchesCpu(
            kernel,
            () => op(tf.round(randomTensor(shape, 9, 2)), axis),
            0,
            `ties, axis ${axis}`,
          );
        }
      });
    }
    it(`${kernel} of empty tensors`, async () => {
      await expectNativeMatchesCpu(kernel, () => op(tf.zeros([3, 0]), 1), 0, '[3, 0] axis 1');
      await expectNativeMatchesCpu(kernel, () => op(tf.zeros([0, 3]), 1), 0, '[0, 3] axis 1');
      await expectNativeMatchesCpu(kernel, () => op(tf.zeros([0, 3]), 0), 0, '[0, 3] axis 0');
    });
  }
});

describe('reductions outside the native path fall back to the cpu kernels', () => {
  const ints = () => tf.tensor([3, -1, 4, 1, -5, 9], [2, 3], 'int32');
  it('int32 inputs', async () => {
    await expectFallbackMatchesCpu('Sum', () => tf.sum(ints(), 1));
    await expectFallbackMatchesCpu('Mean', () => tf.mean(ints(), 0));
    await expectFallbackMatchesCpu('Prod', () => tf.prod(ints()));
    await expectFallbackMatchesCpu('Max', () => tf.max(ints(), 1));
    await expectFallbackMatchesCpu('Min', () => tf.min(ints(), 0));
    await expectFallbackMatchesCpu('ArgMax', () => tf.argMax(ints(), 1));
    await expectFallbackMatchesCpu('ArgMin', () => tf.argMin(ints(), 0));
  });
  it('bool inputs', async () => {
    await expectFallbackMatchesCpu('Max', () => tf.max(tf.tensor([true, false, true], [3], 'bool')));
  });
});
