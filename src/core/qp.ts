/**
 * A small exact solver for the non-negative quadratic program
 *
 *     minimise 1/2 x'Px + c'x   subject to   x >= 0,
 *
 * P symmetric positive definite, n at most a few dozen: GEM's dual (one variable per past
 * experience). It is the active-set method of Lawson & Hanson's NNLS carried over to a general
 * quadratic: keep a set F of free variables, solve the unconstrained problem on F exactly
 * (Cholesky), step back to the boundary when that solution leaves the feasible set, and free
 * the bound variable whose multiplier is most negative until none is. Each outer iteration
 * lowers the objective strictly, so it ends after finitely many.
 *
 * Why not the npm package `quadprog` (the port of the solver GEM's reference code calls): no
 * package can be installed in this build, and the problem is tiny and of one shape (only
 * bounds, no general constraints), which a hundred lines solve exactly and testably.
 */

export interface NonNegativeQpSolution {
  /** The minimiser, `x >= 0`. */
  readonly x: Float64Array;
  /** The multipliers of `x >= 0`: `Px + c` (zero where `x > 0`, non-negative elsewhere). */
  readonly multipliers: Float64Array;
  readonly iterations: number;
}

/** Solves the problem above; `p` is n x n row-major. Throws a RangeError if P is not positive definite. */
export function solveNonNegativeQp(p: ArrayLike<number>, c: ArrayLike<number>): NonNegativeQpSolution {
  const n = c.length;
  if (p.length !== n * n) throw new RangeError(`P: expected ${n} x ${n} values, got ${p.length}`);
  const scale = Math.max(
    1e-300,
    ...Array.from(c, Math.abs),
    ...Array.from({ length: n }, (_, i) => p[i * n + i]),
  );
  const tol = 1e-12 * scale;
  const x = new Float64Array(n);
  const free = new Array<boolean>(n).fill(false);
  const maxIterations = 10 * n + 50;
  let iterations = 0;
  for (;;) {
    const w = negativeGradient(p, c, x);
    let enter = -1;
    for (let i = 0; i < n; i++) if (!free[i] && w[i] > tol && (enter < 0 || w[i] > w[enter])) enter = i;
    if (enter < 0) break;
    free[enter] = true;
    // Inner loop: move towards the unconstrained minimiser on F, dropping variables that hit 0.
    for (;;) {
      if (++iterations > maxIterations)
        throw new RangeError(`no convergence after ${maxIterations} iterations`);
      const z = minimiseOnFree(p, c, free);
      let step = 1;
      let blocking = -1;
      for (let i = 0; i < n; i++) {
        if (free[i] && z[i] <= 0) {
          const ratio = x[i] / (x[i] - z[i]);
          if (ratio < step) [step, blocking] = [ratio, i];
        }
      }
      for (let i = 0; i < n; i++) x[i] = free[i] ? x[i] + step * (z[i] - x[i]) : 0;
      if (blocking < 0) break;
      // The blocking variable lands on its bound (exactly, whatever the rounding), others may too.
      x[blocking] = 0;
      for (let i = 0; i < n; i++) {
        if (free[i] && x[i] <= tol) {
          free[i] = false;
          x[i] = 0;
        }
      }
    }
  }
  const multipliers = negativeGradient(p, c, x).map((v) => -v);
  return { x, multipliers, iterations };
}

/** `-(Px + c)`. */
function negativeGradient(p: ArrayLike<number>, c: ArrayLike<number>, x: Float64Array): Float64Array {
  const n = c.length;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = c[i];
    for (let j = 0; j < n; j++) s += p[i * n + j] * x[j];
    w[i] = -s;
  }
  return w;
}

/** The minimiser of the objective with the variables outside `free` fixed at 0: P_FF z_F = -c_F. */
function minimiseOnFree(p: ArrayLike<number>, c: ArrayLike<number>, free: readonly boolean[]): Float64Array {
  const n = c.length;
  const idx = free.flatMap((f, i) => (f ? [i] : []));
  const m = idx.length;
  // Cholesky factor L of P_FF (lower, row-major), then two triangular solves.
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = p[idx[i] * n + idx[j]];
      for (let k = 0; k < j; k++) s -= l[i * m + k] * l[j * m + k];
      if (i === j) {
        if (!(s > 0)) throw new RangeError('P: expected a positive definite matrix');
        l[i * m + i] = Math.sqrt(s);
      } else {
        l[i * m + j] = s / l[j * m + j];
      }
    }
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = -c[idx[i]];
    for (let k = 0; k < i; k++) s -= l[i * m + k] * y[k];
    y[i] = s / l[i * m + i];
  }
  const z = new Float64Array(n);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < m; k++) s -= l[k * m + i] * z[idx[k]];
    z[idx[i]] = s / l[i * m + i];
  }
  return z;
}
