import assert from 'node:assert/strict';

/** Test helper: every |a[i] - b[i]| within 1e-5 of the larger magnitude (plus a floor for exact zeros). */
export function closeRelative(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    const tol = 1e-5 * Math.max(Math.abs(a[i]), Math.abs(b[i])) + 1e-12;
    assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}
