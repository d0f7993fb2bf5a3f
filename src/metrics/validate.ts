/**
 * Shape and range checks shared by the metric functions, so that a malformed matrix fails with an
 * error naming the offending entry instead of producing a silently wrong number.
 */

/**
 * Checks that `R` is a square T x T accuracy matrix (T >= 1) of finite values in [0, 1] and returns T.
 * Throws a RangeError naming the first bad row or entry.
 */
export function validateAccuracyMatrix(R: readonly (readonly number[])[]): number {
  if (!Array.isArray(R) || R.length === 0) {
    throw new RangeError('R: expected a non-empty T x T accuracy matrix (one row per experience)');
  }
  const T = R.length;
  for (let i = 0; i < T; i++) {
    const row = R[i];
    if (!Array.isArray(row) || row.length !== T) {
      const got = Array.isArray(row) ? `${row.length} entries` : typeof row;
      throw new RangeError(`R[${i}]: expected ${T} entries (R must be square, T = ${T}), got ${got}`);
    }
    row.forEach((value, j) => checkAccuracy(value, `R[${i}][${j}]`));
  }
  return T;
}

/** Checks that the baseline `b` holds one accuracy in [0, 1] per experience (T entries). */
export function validateBaseline(baseline: readonly number[], T: number): void {
  if (!Array.isArray(baseline) || baseline.length !== T) {
    const got = Array.isArray(baseline) ? `${baseline.length} entries` : typeof baseline;
    throw new RangeError(`baseline: expected ${T} entries (one per experience), got ${got}`);
  }
  baseline.forEach((value, j) => checkAccuracy(value, `baseline[${j}]`));
}

function checkAccuracy(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`${name}: expected a finite accuracy in [0, 1], got ${String(value)}`);
  }
}
