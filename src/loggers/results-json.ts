import type { RunSummary } from '../metrics/index.js';
import { writeFileAtomic } from '../core/atomic-write.js';

/** The headline numbers of one strategy's run, as results.json stores them. */
export type ResultSummary = Pick<
  RunSummary,
  'acc' | 'forgetting' | 'bwt' | 'fwt' | 'wallSeconds' | 'trainSamplesPerSecond'
> & {
  /** Peak resident set size of the process during the run, when measured. */
  readonly peakRssBytes?: number;
};

/** One strategy's entry of results.json. */
export interface StrategyResult {
  /** `R[i][j]` = accuracy on experience j after training on experience i. */
  readonly matrix: readonly (readonly number[])[];
  /** Accuracy of the untrained model per experience, when it was evaluated. */
  readonly baseline?: readonly number[];
  readonly summary: ResultSummary;
}

/**
 * Writes `{ strategy: { matrix, baseline, summary } }` to `path`, atomically (temp file + rename).
 * Only the summary fields of `ResultSummary` are written, so the file's shape does not change when
 * a caller passes a whole `RunSummary`. NaN (e.g. forgetting with T = 1) is written as null.
 */
export function writeResultsJson(path: string, results: Readonly<Record<string, StrategyResult>>): void {
  const out: Record<string, unknown> = {};
  for (const [strategy, { matrix, baseline, summary }] of Object.entries(results)) {
    const { acc, forgetting, bwt, fwt, wallSeconds, trainSamplesPerSecond, peakRssBytes } = summary;
    out[strategy] = {
      matrix,
      baseline: baseline ?? null,
      summary: {
        acc,
        forgetting,
        bwt,
        fwt,
        wallSeconds,
        trainSamplesPerSecond,
        peakRssBytes: peakRssBytes ?? null,
      },
    };
  }
  writeFileAtomic(path, `${JSON.stringify(out, null, 2)}\n`);
}
