import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averageAccuracy } from './average-accuracy.js';
import { averageForgetting } from './average-forgetting.js';
import { backwardTransfer } from './backward-transfer.js';
import { forwardTransfer } from './forward-transfer.js';

function assertClose(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `expected ${expected}, got ${actual}`);
}

// R[i][j] = accuracy on experience j after training on experience i.
//            j=0  j=1  j=2
const R3 = [
  [0.9, 0.1, 0.1], // after experience 0
  [0.5, 0.8, 0.2], // after experience 1
  [0.3, 0.4, 0.7], // after experience 2 (last row, T-1 = 2)
];
// b_j: accuracy of the untrained model on experience j.
const b3 = [0.12, 0.08, 0.1];

describe('metrics on a hand-computed 3 x 3 matrix', () => {
  it('ACC = mean of the last row = (0.3 + 0.4 + 0.7) / 3 = 1.4 / 3 = 0.4667', () => {
    assertClose(averageAccuracy(R3), 1.4 / 3);
    assert.equal(averageAccuracy(R3).toFixed(4), '0.4667');
  });

  it('forgetting: j=0: max(0.9, 0.5) - 0.3 = 0.6; j=1: max(0.1, 0.8) - 0.4 = 0.4; mean 0.5', () => {
    assertClose(averageForgetting(R3), 0.5);
  });

  it('BWT: j=0: 0.3 - 0.9 = -0.6; j=1: 0.4 - 0.8 = -0.4; mean -0.5', () => {
    assertClose(backwardTransfer(R3), -0.5);
  });

  it('FWT: j=1: R[0][1] - b_1 = 0.1 - 0.08 = 0.02; j=2: R[1][2] - b_2 = 0.2 - 0.1 = 0.1; mean 0.06', () => {
    assertClose(forwardTransfer(R3, b3), 0.06);
  });

  it('forgetting takes the max over every row before the last, also rows before j was trained', () => {
    // j=0: max(0.8, 0.7) - 0.6 = 0.2; j=1: max(R[0][1] = 0.6, R[1][1] = 0.5) - 0.3 = 0.3; mean 0.25.
    // BWT on the same matrix uses the diagonal: (0.6 - 0.8 + 0.3 - 0.5) / 2 = -0.2.
    const R = [
      [0.8, 0.6, 0.0],
      [0.7, 0.5, 0.1],
      [0.6, 0.3, 0.9],
    ];
    assertClose(averageForgetting(R), 0.25);
    assertClose(backwardTransfer(R), -0.2);
  });

  it('a learner that never forgets has forgetting 0 and BWT 0; one that improves has negative forgetting', () => {
    const perfect = [
      [1, 0],
      [1, 1],
    ];
    assert.equal(averageForgetting(perfect), 0);
    assert.equal(backwardTransfer(perfect), 0);
    // j=0: 0.4 - 0.6 = -0.2 forgetting, 0.6 - 0.4 = +0.2 BWT.
    const improves = [
      [0.4, 0],
      [0.6, 0.9],
    ];
    assertClose(averageForgetting(improves), -0.2);
    assertClose(backwardTransfer(improves), 0.2);
  });
});

describe('edge cases', () => {
  it('T = 2: ACC (0.6 + 0.8) / 2 = 0.7, forgetting 0.9 - 0.6 = 0.3, BWT -0.3, FWT 0.2 - 0.1 = 0.1', () => {
    const R = [
      [0.9, 0.2],
      [0.6, 0.8],
    ];
    assertClose(averageAccuracy(R), 0.7);
    assertClose(averageForgetting(R), 0.3);
    assertClose(backwardTransfer(R), -0.3);
    assertClose(forwardTransfer(R, [0.5, 0.1]), 0.1);
  });

  it('T = 1: ACC is the single value; forgetting, BWT and FWT average over nothing and are NaN', () => {
    const R = [[0.7]];
    assert.equal(averageAccuracy(R), 0.7);
    assert.ok(Number.isNaN(averageForgetting(R)));
    assert.ok(Number.isNaN(backwardTransfer(R)));
    assert.ok(Number.isNaN(forwardTransfer(R, [0.1])));
  });
});

describe('invalid matrices', () => {
  const all = [
    averageAccuracy,
    averageForgetting,
    backwardTransfer,
    (R: number[][]) => forwardTransfer(R, []),
  ];

  it('refuses an empty matrix', () => {
    for (const metric of all) assert.throws(() => metric([]), /R: expected a non-empty T x T/);
  });

  it('refuses a matrix that is not square, naming the row', () => {
    assert.throws(() => averageAccuracy([[0.5, 0.5], [0.5]]), /R\[1\]: expected 2 entries .*got 1 entries/);
    assert.throws(() => averageForgetting([[0.5, 0.5]]), /R\[0\]: expected 1 entries .*got 2 entries/);
  });

  it('refuses values outside [0, 1] or not finite, naming the entry', () => {
    const bad = (value: number) => [
      [0.5, 0.5],
      [0.5, value],
    ];
    assert.throws(
      () => backwardTransfer(bad(1.5)),
      /R\[1\]\[1\]: expected a finite accuracy in \[0, 1\], got 1.5/,
    );
    assert.throws(() => backwardTransfer(bad(-0.1)), /R\[1\]\[1\]: .*got -0.1/);
    assert.throws(() => averageAccuracy(bad(NaN)), /R\[1\]\[1\]: .*got NaN/);
    assert.throws(() => averageAccuracy(bad(Infinity)), /R\[1\]\[1\]: .*got Infinity/);
  });

  it('refuses a baseline of the wrong length or with bad values', () => {
    assert.throws(() => forwardTransfer(R3, [0.1, 0.1]), /baseline: expected 3 entries .*got 2 entries/);
    assert.throws(() => forwardTransfer(R3, [0.1, 2, 0.1]), /baseline\[1\]: .*got 2/);
  });
});
