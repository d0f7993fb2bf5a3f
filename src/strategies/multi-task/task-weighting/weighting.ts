/**
 * Task weightings for a multi-task loss L = sum_t w_t L_t + sum_t c_t (multi-task.ts): how much
 * each task's loss counts in a step. A weighting is plain arithmetic on numbers: the multi-task
 * plugin asks it for w_t (and a constant c_t, uncertainty weighting's log-variance term) before the
 * step, and shows it what the step measured afterwards (each task's loss value, and for GradNorm
 * the norm of each task's gradient on the last shared layer). The weights are constants to the
 * network's gradient; weightings that learn them (uncertainty, GradNorm) take their own step in
 * `observe`, with their analytic gradient. Tasks are identified by task id and join the weighting
 * the first time a step holds one of their rows (in continual learning tasks arrive over time).
 */
import { DataFormatError } from '../../../core/errors.js';
import { StateReader, type StateRecord, type StateValue } from '../../../core/state.js';

/** What one training step measured, per task present in its batch (same order in every array). */
export interface StepObservation {
  readonly tasks: readonly number[];
  /** L_t: the mean cross-entropy of task t's rows in the step. */
  readonly losses: readonly number[];
  /** ||grad_W L_t||: the unweighted task loss's gradient norm on the last shared layer W (only for weightings that ask). */
  readonly gradientNorms?: readonly number[];
}

export interface TaskWeighting {
  /** One of WEIGHTING_NAMES. */
  readonly name: string;
  /** True when `observe` needs `gradientNorms` (GradNorm): the plugin then computes them each step. */
  readonly needsGradientNorms?: boolean;
  /** w_t for the next step (1 for a task the weighting has not seen yet). */
  weight(task: number): number;
  /** A constant c_t added to the loss beside w_t L_t (uncertainty weighting's s_t); 0 for the others. */
  offset(task: number): number;
  /** Learns from a finished step. */
  observe(step: StepObservation): void;
  /** The end of one of the template's epochs (DWA's default averaging window). */
  endEpoch?(): void;
  /** Every seen task's current weight, by task id. */
  weights(): ReadonlyMap<number, number>;
  /** What it has learned so far (per-task numbers), for a checkpoint. */
  state(): StateValue;
  /** Puts a `state()` of the same weighting back; `where` names it in errors. */
  restore(state: StateValue, where: string): void;
}

export type WeightingName = 'equal' | 'uncertainty' | 'uncertainty-normalized' | 'gradnorm' | 'dwa';

export const WEIGHTING_NAMES: readonly WeightingName[] = [
  'equal',
  'uncertainty',
  'uncertainty-normalized',
  'gradnorm',
  'dwa',
];

/** A per-task number map as task ids and float64 values, in the map's order. */
export function taskMapState(map: ReadonlyMap<number, number>): StateRecord {
  return { tasks: Int32Array.from(map.keys()), values: Float64Array.from(map.values()) };
}

/** `taskMapState`'s record as a map; `where` names it in errors. */
export function taskMapFromState(value: StateValue, where: string): Map<number, number> {
  const state = new StateReader(value, where);
  const tasks = state.ints('tasks');
  const values = state.raw('values');
  if (!(values instanceof Float64Array) || values.length !== tasks.length) {
    throw new DataFormatError(where, `values: expected ${tasks.length} float64 values, one per task`);
  }
  return new Map(Array.from(tasks, (t, k) => [t, values[k]]));
}
