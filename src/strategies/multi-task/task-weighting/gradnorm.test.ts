import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradNormWeighting } from './gradnorm.js';

const close = (actual: number, expected: number, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) < tol, `${actual} vs ${expected}`);

describe('GradNorm weighting', () => {
  it('moves w_t by sign(G_t - target_t) g_t and renormalises to the task count: hand-computed steps', () => {
    const w = gradNormWeighting({ alpha: 1.5, lr: 0.1 });
    // Step 1: L(0) = (2, 1), so r = (1, 1); G = (1, 3), mean 2 = both targets.
    // w = (1 + 0.1 * 1, 1 - 0.1 * 3) = (1.1, 0.7), scaled by 2 / 1.8.
    w.observe({ tasks: [0, 1], losses: [2, 1], gradientNorms: [1, 3] });
    close(w.weight(0), 1.1 / 0.9);
    close(w.weight(1), 0.7 / 0.9);
    // Step 2: L / L(0) = (0.5, 1), r = (2/3, 4/3); G = w (g = 1) = (1.2222, 0.7778), mean 1;
    // targets (2/3)^1.5 = 0.544 < G_0 and (4/3)^1.5 = 1.540 > G_1: w_0 - 0.1, w_1 + 0.1, sum still 2.
    w.observe({ tasks: [0, 1], losses: [1, 1], gradientNorms: [1, 1] });
    close(w.weight(0), 1.1 / 0.9 - 0.1);
    close(w.weight(1), 0.7 / 0.9 + 0.1);
    assert.deepEqual([...w.weights().keys()], [0, 1]);
  });

  it('leaves a lone task at weight 1 and refuses a step without gradient norms', () => {
    const w = gradNormWeighting();
    w.observe({ tasks: [3], losses: [2], gradientNorms: [5] });
    assert.equal(w.weight(3), 1);
    assert.throws(() => w.observe({ tasks: [3], losses: [2] }), /gradientNorms/);
  });

  it('keeps weights positive: a step that would push one below zero stops at the floor', () => {
    const w = gradNormWeighting({ alpha: 0, lr: 10 });
    w.observe({ tasks: [0, 1], losses: [1, 1], gradientNorms: [1, 3] });
    // w_1 = max(1e-3, 1 - 30) = 1e-3, w_0 = 1 + 10 = 11, then scaled to sum 2.
    close(w.weight(1), (2 * 1e-3) / 11.001);
    close(w.weight(0) + w.weight(1), 2);
  });
});
