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
 *
 * `normalize` (the `uncertainty-normalized` weighting, our variant, not the paper's): the same s_t
 * steps, but the weights are rescaled to sum to the number of tasks K, w_t = K exp(-s_t) /
 * sum_j exp(-s_j), as GradNorm's and DWA's do. Why: on classification tasks whose cross-entropy
 * falls towards 0 the paper's optimum w_t = 1 / L_t grows without bound, and with plain SGD the
 * effective step then does too (measured on Split-MNIST, docs/results.md: training diverges).
 * Normalised, the weights keep the paper's ratios (w_t / w_j = L_j / L_t at the optimum) and
 * the step is never larger than K times one task's, as with equal weighting at its worst.
 */
import { StateReader } from '../../../core/state.js';
import { taskMapFromState, taskMapState, type TaskWeighting } from './weighting.js';

export interface UncertaintyOptions {
  /** Learning rate of the s_t steps. Default 0.025. */
  lr?: number;
  /** Rescale the weights to sum to the number of tasks (see above). Default false. */
  normalize?: boolean;
}

export function uncertaintyWeighting(options: UncertaintyOptions = {}): TaskWeighting {
  const lr = options.lr ?? 0.025;
  const normalize = options.normalize ?? false;
  let logVariance = new Map<number, number>();
  const s = (task: number) => logVariance.get(task) ?? 0;
  /**
   * w_t; normalised over the seen tasks, computed as exp(min_j s_j - s_t) / sum_j exp(min_j s_j - s_j)
   * so that no term overflows however far the s_t have moved. A task not seen yet weighs 1.
   */
  const weight = (task: number) => {
    if (!normalize || !logVariance.has(task)) return Math.exp(-s(task));
    const all = [...logVariance.values()];
    const least = Math.min(...all);
    const total = all.reduce((sum, v) => sum + Math.exp(least - v), 0);
    return (all.length * Math.exp(least - s(task))) / total;
  };
  return {
    name: normalize ? 'uncertainty-normalized' : 'uncertainty',
    weight,
    // The paper's objective adds s_t to the loss; the normalised weighting is not that objective.
    offset: (task) => (normalize ? 0 : s(task)),
    observe(step) {
      step.tasks.forEach((t, k) => logVariance.set(t, s(t) - lr * (1 - Math.exp(-s(t)) * step.losses[k])));
    },
    weights: () => new Map([...logVariance.keys()].sort((a, b) => a - b).map((t) => [t, weight(t)])),
    state: () => ({ logVariance: taskMapState(logVariance) }),
    restore(value, where) {
      logVariance = taskMapFromState(
        new StateReader(value, where).raw('logVariance'),
        `${where}.logVariance`,
      );
    },
  };
}
