import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dwaWeighting } from './dwa.js';

const close = (actual: number, expected: number, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) < tol, `${actual} vs ${expected}`);

describe('DWA weighting', () => {
  it('weights K exp(r_t / T) / sum exp(r_j / T) with r_t the ratio of the last two window averages', () => {
    const w = dwaWeighting({ temperature: 2, window: 2 });
    // Window 1: task 0 averages (4 + 2) / 2 = 3, task 1 averages 1. One window only: weights 1.
    w.observe({ tasks: [0, 1], losses: [4, 1] });
    w.observe({ tasks: [0, 1], losses: [2, 1] });
    assert.deepEqual([w.weight(0), w.weight(1)], [1, 1]);
    // Window 2: 1.5 and 1, so r = (0.5, 1); weights change only when the window closes.
    w.observe({ tasks: [0, 1], losses: [1.5, 1] });
    assert.deepEqual([w.weight(0), w.weight(1)], [1, 1]);
    w.observe({ tasks: [0, 1], losses: [1.5, 1] });
    const total = Math.exp(0.25) + Math.exp(0.5);
    close(w.weight(0), (2 * Math.exp(0.25)) / total); // 0.87565
    close(w.weight(1), (2 * Math.exp(0.5)) / total); // 1.12435
    assert.equal(w.offset(0), 0);
  });

  it('without a window, periods are the epochs; a newly arrived task has r = 1', () => {
    const w = dwaWeighting({ temperature: 1 });
    w.observe({ tasks: [0], losses: [2] });
    w.endEpoch?.();
    w.observe({ tasks: [0], losses: [3] });
    w.observe({ tasks: [0, 1], losses: [1, 5] });
    w.endEpoch?.();
    // Task 0: averages 2 then 2, r = 1; task 1: one period, r = 1: equal weights.
    close(w.weight(0), 1);
    close(w.weight(1), 1);
    w.observe({ tasks: [0, 1], losses: [4, 5] });
    w.endEpoch?.();
    // r_0 = 4 / 2 = 2, r_1 = 5 / 5 = 1: w_0 = 2 e^2 / (e^2 + e).
    close(w.weight(0), (2 * Math.exp(2)) / (Math.exp(2) + Math.exp(1)));
    close(w.weight(0) + w.weight(1), 2);
  });
});
