import { validateAccuracyMatrix } from './validate.js';

/**
 * Average forgetting (Chaudhry et al. 2018), the mean over j < T-1 of
 * `max_{l<T-1} R[l][j] - R[T-1][j]`: how far each earlier experience's accuracy has fallen from
 * its best value before the last experience.
 *
 * `R[i][j]` = accuracy on experience j's test set after training on experience i (T experiences).
 *
 * With T = 1 there is no earlier experience and the mean is over nothing: the result is NaN, not 0,
 * because 0 would claim "forgot nothing" where nothing could be measured. The same holds for
 * backward and forward transfer.
 */
export function averageForgetting(R: readonly (readonly number[])[]): number {
  const T = validateAccuracyMatrix(R);
  if (T === 1) return NaN;
  let sum = 0;
  for (let j = 0; j < T - 1; j++) {
    // l ranges over every row before the last, including l < j where experience j was not yet
    // trained on: that is the definition, and it only matters when a future task scored higher.
    let best = -Infinity;
    for (let l = 0; l < T - 1; l++) best = Math.max(best, R[l][j]);
    sum += best - R[T - 1][j];
  }
  return sum / (T - 1);
}
