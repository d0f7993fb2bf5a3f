import { validateAccuracyMatrix } from './validate.js';

/**
 * Backward transfer (Lopez-Paz & Ranzato 2017): `BWT = mean_{j<T-1} (R[T-1][j] - R[j][j])`, how
 * training on later experiences changed accuracy on earlier ones (negative = forgetting).
 *
 * `R[i][j]` = accuracy on experience j's test set after training on experience i (T experiences).
 *
 * With T = 1 the mean is over nothing and the result is NaN (see `averageForgetting`).
 */
export function backwardTransfer(R: readonly (readonly number[])[]): number {
  const T = validateAccuracyMatrix(R);
  if (T === 1) return NaN;
  let sum = 0;
  for (let j = 0; j < T - 1; j++) sum += R[T - 1][j] - R[j][j];
  return sum / (T - 1);
}
