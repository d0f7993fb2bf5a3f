import { BASELINE_EVALUATION, type EvaluationEvent, type TrainingEvent } from '../core/events.js';
import { validateAccuracyMatrix, validateBaseline } from './validate.js';

/** What the evaluations of a run add up to. */
export interface AccuracyMatrix {
  /** `R[i][j]` = accuracy on experience j's test set after training on experience i. */
  readonly matrix: number[][];
  /** `b_j`, accuracy of the untrained model on experience j; absent when no baseline was evaluated. */
  readonly baseline?: number[];
  /** Per-class accuracy of the last evaluation received, when it carried one. */
  readonly perClassAccuracy?: Readonly<Record<number, number>>;
}

/**
 * Collects `evaluation` events into the accuracy matrix. Usable directly as a listener: events of
 * other types are ignored, except `run-start`, which fixes the number of experiences T.
 */
export interface AccuracyMatrixBuilder {
  add(event: TrainingEvent): void;
  /**
   * The square matrix, the baseline row and the last per-class accuracy. Throws a RangeError when an
   * evaluation is missing (one is needed after every experience) or an accuracy is out of [0, 1].
   */
  build(): AccuracyMatrix;
}

export interface AccuracyMatrixOptions {
  /** T; otherwise taken from a `run-start` event, or else from the evaluations seen. */
  readonly numExperiences?: number;
}

export function createAccuracyMatrixBuilder(options: AccuracyMatrixOptions = {}): AccuracyMatrixBuilder {
  let numExperiences = options.numExperiences;
  // Row per `afterExperience` (-1 = baseline), each row keyed by experience. A later evaluation
  // after the same experience replaces an earlier one: the row is the model at the experience's end.
  const rows = new Map<number, Map<number, number>>();
  let perClass: Readonly<Record<number, number>> | undefined;

  function addEvaluation(event: EvaluationEvent): void {
    const after = event.afterExperience;
    const where = `evaluation after experience ${after}`;
    if (!Number.isInteger(after) || after < BASELINE_EVALUATION) {
      throw new RangeError(`${where}: afterExperience must be an integer >= -1 (-1 = baseline)`);
    }
    const row = new Map<number, number>();
    for (const entry of event.perExperience) {
      if (!Number.isInteger(entry.experience) || entry.experience < 0) {
        throw new RangeError(`${where}: experience must be an integer >= 0, got ${entry.experience}`);
      }
      if (row.has(entry.experience)) {
        throw new RangeError(`${where}: experience ${entry.experience} appears twice`);
      }
      row.set(entry.experience, entry.accuracy);
    }
    rows.set(after, row);
    perClass = event.perClass;
  }

  function rowValues(after: number, T: number): number[] {
    const row = rows.get(after);
    const name =
      after === BASELINE_EVALUATION ? 'the baseline evaluation' : `evaluation after experience ${after}`;
    if (row === undefined) {
      throw new RangeError(`no ${name}: R needs one evaluation after each of the T = ${T} experiences`);
    }
    const values: number[] = [];
    for (let j = 0; j < T; j++) {
      const value = row.get(j);
      if (value === undefined) throw new RangeError(`${name}: no accuracy for experience ${j} (T = ${T})`);
      values.push(value);
    }
    for (const j of row.keys()) {
      if (j >= T) throw new RangeError(`${name}: experience ${j} is outside the stream (T = ${T})`);
    }
    return values;
  }

  return {
    add(event) {
      if (event.type === 'run-start' && options.numExperiences === undefined) {
        numExperiences = event.stream.numExperiences;
      } else if (event.type === 'evaluation') {
        addEvaluation(event);
      }
    },
    build() {
      const T = numExperiences ?? Math.max(0, ...rows.keys()) + 1;
      if (rows.size === 0)
        throw new RangeError('no evaluation events: nothing to build an accuracy matrix from');
      for (const after of rows.keys()) {
        if (after >= T) throw new RangeError(`evaluation after experience ${after}: the stream has T = ${T}`);
      }
      const matrix = Array.from({ length: T }, (_, i) => rowValues(i, T));
      validateAccuracyMatrix(matrix);
      const baseline = rows.has(BASELINE_EVALUATION) ? rowValues(BASELINE_EVALUATION, T) : undefined;
      if (baseline !== undefined) validateBaseline(baseline, T);
      return { matrix, baseline, perClassAccuracy: perClass };
    },
  };
}

/** The accuracy matrix of a recorded run (e.g. events read back from a JSONL log). */
export function buildAccuracyMatrix(events: Iterable<TrainingEvent>): AccuracyMatrix {
  const builder = createAccuracyMatrixBuilder();
  for (const event of events) builder.add(event);
  return builder.build();
}
