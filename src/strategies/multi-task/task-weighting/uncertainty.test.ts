import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uncertaintyWeighting } from './uncertainty.js';

const close = (actual: number, expected: number, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) < tol, `${actual} vs ${expected}`);

describe('uncertainty weighting', () => {
  it('steps s_t by its analytic gradient 1 - exp(-s_t) L_t: hand-computed values', () => {
    const w = uncertaintyWeighting({ lr: 0.1 });
    assert.equal(w.weight(0), 1);
    assert.equal(w.offset(0), 0);
    w.observe({ tasks: [0, 1], losses: [2, 0.5] });
    // s_0 = 0 - 0.1 (1 - 2) = 0.1; s_1 = 0 - 0.1 (1 - 0.5) = -0.05.
    close(w.offset(0), 0.1);
    close(w.offset(1), -0.05);
    close(w.weight(0), Math.exp(-0.1));
    close(w.weight(1), Math.exp(0.05));
    w.observe({ tasks: [0], losses: [2] });
    // s_0 = 0.1 - 0.1 (1 - exp(-0.1) 2) = 0.18096748...; task 1 absent: unchanged.
    close(w.offset(0), 0.1 - 0.1 * (1 - Math.exp(-0.1) * 2));
    close(w.offset(1), -0.05);
  });

  it('converges to s_t = log L_t, i.e. w_t = 1 / L_t: the larger loss weighs less', () => {
    const w = uncertaintyWeighting({ lr: 0.05 });
    for (let i = 0; i < 2000; i++) w.observe({ tasks: [0, 1], losses: [2, 0.25] });
    close(w.weight(0), 0.5, 1e-6);
    close(w.weight(1), 4, 1e-6);
    close(w.offset(0), Math.log(2), 1e-6);
  });

  it('normalized: the same s_t steps, weights K exp(-s_t) / sum_j exp(-s_j): hand-computed values', () => {
    const w = uncertaintyWeighting({ lr: 0.1, normalize: true });
    assert.equal(w.name, 'uncertainty-normalized');
    assert.equal(w.weight(0), 1); // not seen yet
    w.observe({ tasks: [0, 1], losses: [2, 0.5] });
    // s = (0.1, -0.05) as in the paper's form; w_0 = 2 e^-0.1 / (e^-0.1 + e^0.05).
    const total = Math.exp(-0.1) + Math.exp(0.05);
    close(w.weight(0), (2 * Math.exp(-0.1)) / total);
    close(w.weight(1), (2 * Math.exp(0.05)) / total);
    close(w.weight(0) + w.weight(1), 2);
    assert.equal(w.offset(0), 0);
    assert.deepEqual([...w.weights().keys()], [0, 1]);
    close(w.weights().get(1)!, w.weight(1));
  });

  it("normalized: keeps the paper's ratio L_j / L_t at the optimum and stays finite as a loss goes to 0", () => {
    const w = uncertaintyWeighting({ lr: 0.05, normalize: true });
    for (let i = 0; i < 2000; i++) w.observe({ tasks: [0, 1], losses: [2, 0.25] });
    close(w.weight(1) / w.weight(0), 8, 1e-5);
    close(w.weight(0) + w.weight(1), 2);
    // A loss of 1e-30: the paper's weight would be 1e30; normalised, it tends to K = 2.
    const tiny = uncertaintyWeighting({ lr: 0.5, normalize: true });
    for (let i = 0; i < 5000; i++) tiny.observe({ tasks: [0, 1], losses: [1, 1e-30] });
    assert.ok(Number.isFinite(tiny.weight(0)) && tiny.weight(0) < 1e-6, `${tiny.weight(0)}`);
    close(tiny.weight(1), 2, 1e-6);
  });

  it('normalized: its state restores the same weights', () => {
    const a = uncertaintyWeighting({ lr: 0.1, normalize: true });
    a.observe({ tasks: [0, 1, 3], losses: [2, 0.5, 0.1] });
    const b = uncertaintyWeighting({ lr: 0.1, normalize: true });
    b.restore(a.state(), 'test');
    assert.deepEqual([...b.weights()], [...a.weights()]);
  });
});
