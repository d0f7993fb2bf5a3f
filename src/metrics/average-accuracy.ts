import { validateAccuracyMatrix } from './validate.js';

/**
 * Average accuracy after the whole stream: `ACC = mean_j R[T-1][j]`.
 *
 * `R[i][j]` = accuracy on experience j's test set after training on experience i (T experiences).
 */
export function averageAccuracy(R: readonly (readonly number[])[]): number {
  const T = validateAccuracyMatrix(R);
  return mean(R[T - 1]);
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
