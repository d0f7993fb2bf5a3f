import { validateAccuracyMatrix, validateBaseline } from './validate.js';

/**
 * Forward transfer: `FWT = mean_{j>0} (R[j-1][j] - b_j)`, `b_j` the accuracy of the randomly
 * initialised model on experience j: how much training on experiences before j helps on j before
 * it is seen.
 *
 * `R[i][j]` = accuracy on experience j's test set after training on experience i (T experiences).
 * `baseline` holds all T values of b (b_0 is not used, but a full row keeps indices aligned).
 *
 * With T = 1 the mean is over nothing and the result is NaN (see `averageForgetting`).
 */
export function forwardTransfer(R: readonly (readonly number[])[], baseline: readonly number[]): number {
  const T = validateAccuracyMatrix(R);
  validateBaseline(baseline, T);
  if (T === 1) return NaN;
  let sum = 0;
  for (let j = 1; j < T; j++) sum += R[j - 1][j] - baseline[j];
  return sum / (T - 1);
}
