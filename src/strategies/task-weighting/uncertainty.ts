/**
 * Uncertainty weighting (Kendall, Gal & Cipolla 2018, "Multi-Task Learning Using Uncertainty to
 * Weigh Losses for Scene Geometry and Semantics"): each task learns s_t = log sigma_t^2 and the
 * loss is L = sum_t exp(-s_t) L_t + s_t, so w_t = exp(-s_t). This is the form most
 * implementations use for every task type; the paper's classification derivation (a softmax at
 * temperature sigma^2) gives exp(-s_t) L_t + s_t / 2 instead, which only moves the optimum from
 * s_t = log L_t to log(2 L_t). At its optimum w_t = 1 / L_t: tasks with a larger loss weigh less.
 *
 * s_t starts at 0 (w_t = 1) and takes one plain gradient step per training step in which task t
 * has rows, with the analytic gradient dL/ds_t = 1 - exp(-s_t) L_t (the paper learns s jointly
 * with the network by backpropagation; the gradient is the same).
 */
import { StateReader } from '../../core/state.js';
import { taskMapFromState, taskMapState, type TaskWeighting } from './weighting.js';

export interface UncertaintyOptions {
  /** Learning rate of the s_t steps. Default 0.025. */
  lr?: number;
}

export function uncertaintyWeighting(options: UncertaintyOptions = {}): TaskWeighting {
  const lr = options.lr ?? 0.025;
  let logVariance = new Map<number, number>();
  const s = (task: number) => logVariance.get(task) ?? 0;
  return {
    name: 'uncertainty',
    weight: (task) => Math.exp(-s(task)),
    offset: s,
    observe(step) {
      step.tasks.forEach((t, k) => logVariance.set(t, s(t) - lr * (1 - Math.exp(-s(t)) * step.losses[k])));
    },
    weights: () => new Map([...logVariance.keys()].sort((a, b) => a - b).map((t) => [t, Math.exp(-s(t))])),
    state: () => ({ logVariance: taskMapState(logVariance) }),
    restore(value, where) {
      logVariance = taskMapFromState(
        new StateReader(value, where).raw('logVariance'),
        `${where}.logVariance`,
      );
    },
  };
}
