import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from './random.js';
import { solveNonNegativeQp } from './qp.js';

const close = (a: ArrayLike<number>, b: readonly number[], tol = 1e-9) =>
  assert.ok(
    Array.from(a).every((v, i) => Math.abs(v - b[i]) < tol),
    `${Array.from(a).join(', ')} vs ${b.join(', ')}`,
  );

/** A random positive definite n x n matrix A A' + 0.01 I and a random linear term. */
function randomProblem(n: number, seed: number): { p: Float64Array; c: Float64Array } {
  const rng = createRng(seed);
  const a = Float64Array.from({ length: n * n }, () => rng.normal());
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.01 : 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * a[j * n + k];
      p[i * n + j] = s;
    }
  }
  return { p, c: Float64Array.from({ length: n }, () => 3 * rng.normal()) };
}

describe('solveNonNegativeQp', () => {
  it('solves hand-worked problems', () => {
    // Unconstrained minimiser (1, 2) is feasible: it is the answer.
    close(solveNonNegativeQp([1, 0, 0, 1], [-1, -2]).x, [1, 2]);
    // Minimiser (-1, 2) is not: x1 = 0, then min 1/2 x2^2 - 2 x2 gives x2 = 2.
    close(solveNonNegativeQp([1, 0, 0, 1], [1, -2]).x, [0, 2]);
    // Coupled: P = [[2, 1], [1, 2]], c = [-1, 1]. Unconstrained (1, -1); on x2 = 0: 2 x1 = 1.
    close(solveNonNegativeQp([2, 1, 1, 2], [-1, 1]).x, [0.5, 0]);
    // Every c >= 0: the origin.
    close(solveNonNegativeQp([2, 1, 1, 2], [1, 3]).x, [0, 0]);
    // One variable: x = max(0, -c / p).
    close(solveNonNegativeQp([4], [-2]).x, [0.5]);
  });

  it('meets the KKT conditions on random problems up to 20 variables', () => {
    for (let seed = 0; seed < 200; seed++) {
      const n = 1 + (seed % 20);
      const { p, c } = randomProblem(n, seed);
      const { x, multipliers } = solveNonNegativeQp(p, c);
      const scale = Math.max(1, ...Array.from(c, Math.abs));
      for (let i = 0; i < n; i++) {
        assert.ok(x[i] >= 0, `seed ${seed}: x[${i}] = ${x[i]}`);
        assert.ok(multipliers[i] >= -1e-8 * scale, `seed ${seed}: multiplier ${i} = ${multipliers[i]}`);
        assert.ok(Math.abs(x[i] * multipliers[i]) < 1e-8 * scale, `seed ${seed}: complementarity at ${i}`);
      }
    }
  });

  it('is no worse than any feasible point nearby (random probes)', () => {
    const rng = createRng(9);
    const { p, c } = randomProblem(6, 42);
    const f = (x: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < 6; i++) {
        s += c[i] * x[i];
        for (let j = 0; j < 6; j++) s += 0.5 * x[i] * p[i * 6 + j] * x[j];
      }
      return s;
    };
    const { x } = solveNonNegativeQp(p, c);
    for (let k = 0; k < 500; k++) {
      const y = Array.from(x, (v) => Math.max(0, v + 0.1 * rng.normal()));
      assert.ok(f(y) >= f(x) - 1e-12, `probe ${k}`);
    }
  });

  it('rejects a matrix that is not positive definite, or of the wrong size', () => {
    assert.throws(() => solveNonNegativeQp([-1], [-1]), /positive definite/);
    assert.throws(() => solveNonNegativeQp([1, 0, 0], [1, 1]), /2 x 2/);
  });
});
