import { createAccuracyMatrixBuilder } from '../metrics/index.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import type { Logger } from './logger.js';

/**
 * Writes the accuracy matrix as CSV: header `after_experience,exp_0,...,exp_{T-1}`, then row i =
 * `i,R[i][0],...`, where `R[i][j]` is the accuracy (a fraction) on experience j after training on i.
 */
export function writeMatrixCsv(path: string, R: readonly (readonly number[])[]): void {
  const header = ['after_experience', ...R.map((_, j) => `exp_${j}`)].join(',');
  const rows = R.map((row, i) => [i, ...row].join(','));
  writeFileAtomic(path, `${[header, ...rows].join('\n')}\n`);
}

/** Collects the run's evaluations and writes the accuracy matrix to `path` at `run-end`. */
export function csvLogger(path: string): Logger {
  const builder = createAccuracyMatrixBuilder();
  return {
    onEvent(event) {
      builder.add(event);
      if (event.type === 'run-end') writeMatrixCsv(path, builder.build().matrix);
    },
  };
}
