import type { TrainingEvent } from '../core/events.js';
import { buildAccuracyMatrix } from './accuracy-matrix.js';
import { averageAccuracy } from './average-accuracy.js';
import { averageForgetting } from './average-forgetting.js';
import { backwardTransfer } from './backward-transfer.js';
import { forwardTransfer } from './forward-transfer.js';

/** The headline numbers of a finished run, all computed from its events. */
export interface RunSummary {
  /** Average accuracy after the last experience, `mean_j R[T-1][j]`. */
  readonly acc: number;
  /** Average forgetting (Chaudhry et al. 2018); NaN when T = 1. */
  readonly forgetting: number;
  /** Backward transfer (Lopez-Paz & Ranzato 2017); NaN when T = 1. */
  readonly bwt: number;
  /** Forward transfer against the baseline; NaN when T = 1 or no baseline was evaluated. */
  readonly fwt: number;
  /** `R[i][j]` = accuracy on experience j's test set after training on experience i. */
  readonly matrix: number[][];
  /** Accuracy of the untrained model per experience, when it was evaluated. */
  readonly baseline?: number[];
  /** Whole run, evaluations included (from `run-end`). */
  readonly wallSeconds: number;
  /** Training time of each experience, evaluation excluded (from `experience-end`). */
  readonly secondsPerExperience: number[];
  /** All training samples over all training time (replayed samples count: they cost the same). */
  readonly trainSamplesPerSecond: number;
  /** Per-class accuracy of the last evaluation, when it carried one. */
  readonly perClassAccuracy?: Readonly<Record<number, number>>;
  /**
   * Class-IL runs: the final average accuracy with each experience's predictions restricted to
   * its own classes (the task-IL accuracy of the same model; `taskAwareAccuracy` in events).
   */
  readonly taskAwareAcc?: number;
  /** Bytes of the examples the strategy stored at the end (replay buffers, exemplars), when any. */
  readonly methodMemoryBytes?: number;
}

/**
 * Summarises a finished run. Throws a RangeError when the events are not a complete run: an
 * evaluation after every experience, an `experience-end` for every experience and a `run-end`.
 */
export function summarize(events: Iterable<TrainingEvent>): RunSummary {
  const list = [...events];
  const { matrix, baseline, perClassAccuracy } = buildAccuracyMatrix(list);
  const T = matrix.length;

  const secondsPerExperience: (number | undefined)[] = new Array(T).fill(undefined);
  let trainSamples = 0;
  let wallSeconds: number | undefined;
  let methodMemoryBytes: number | undefined;
  for (const event of list) {
    if (event.type === 'experience-end') {
      if (!(event.experience >= 0 && event.experience < T)) {
        throw new RangeError(
          `experience-end: experience ${event.experience} is outside the stream (T = ${T})`,
        );
      }
      // A second end for the same experience would count its samples twice and inflate throughput.
      if (secondsPerExperience[event.experience] !== undefined) {
        throw new RangeError(`experience-end: experience ${event.experience} ended twice`);
      }
      secondsPerExperience[event.experience] = event.seconds;
      trainSamples += event.samples;
    } else if (event.type === 'run-end') {
      wallSeconds = event.seconds;
      methodMemoryBytes = event.methodMemoryBytes;
    }
  }
  const missing = secondsPerExperience.findIndex((s) => s === undefined);
  if (missing >= 0) throw new RangeError(`no experience-end event for experience ${missing} (T = ${T})`);
  if (wallSeconds === undefined) throw new RangeError('no run-end event: summarize a finished run');
  const seconds = secondsPerExperience as number[];
  const finals = list.filter((e) => e.type === 'evaluation' && e.afterExperience === T - 1);
  const last = finals[finals.length - 1];
  const taskAware =
    last?.type === 'evaluation' && last.perExperience.every((e) => e.taskAwareAccuracy !== undefined)
      ? last.perExperience.map((e) => e.taskAwareAccuracy as number)
      : undefined;
  const trainSeconds = seconds.reduce((a, b) => a + b, 0);

  return {
    acc: averageAccuracy(matrix),
    forgetting: averageForgetting(matrix),
    bwt: backwardTransfer(matrix),
    fwt: baseline === undefined ? NaN : forwardTransfer(matrix, baseline),
    matrix,
    baseline,
    wallSeconds,
    secondsPerExperience: seconds,
    trainSamplesPerSecond: trainSeconds > 0 ? trainSamples / trainSeconds : NaN,
    perClassAccuracy,
    ...(methodMemoryBytes !== undefined ? { methodMemoryBytes } : {}),
    ...(taskAware?.length ? { taskAwareAcc: taskAware.reduce((a, b) => a + b, 0) / taskAware.length } : {}),
  };
}
