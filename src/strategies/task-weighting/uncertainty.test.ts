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
});
