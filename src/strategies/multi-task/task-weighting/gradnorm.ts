/**
 * GradNorm (Chen, Badrinarayanan, Lee & Rabinovich 2018, "GradNorm: Gradient Normalization for
 * Adaptive Loss Balancing in Deep Multitask Networks"): the weights are learned so that every
 * task's gradient on the last shared layer W has a norm proportional to how far behind the task
 * is in training. Per step, over the tasks present:
 *   G_t = ||grad_W (w_t L_t)|| = w_t g_t           (g_t = ||grad_W L_t||, measured by the plugin)
 *   r_t = (L_t / L_t(0)) / mean_j (L_j / L_j(0))   (relative inverse training rate)
 *   target_t = mean_j G_j * r_t^alpha               (held constant)
 *   L_grad = sum_t |G_t - target_t|,  dL_grad/dw_t = sign(G_t - target_t) g_t
 * then w_t <- w_t - lr dL_grad/dw_t and the weights are renormalised to sum to the number of tasks.
 * L_t(0) is the task's loss at the first step that held it (tasks arrive over time in continual
 * learning), and the renormalisation runs over the step's tasks (their weights sum to their
 * count; absent tasks keep theirs). A weight that the step would push below MIN_WEIGHT stops
 * there, so no task's loss is ever negated.
 */
import { StateReader } from '../../../core/state.js';
import { taskMapFromState, taskMapState, type TaskWeighting } from './weighting.js';

export interface GradNormOptions {
  /** Asymmetry alpha: how strongly tasks that train slower are pulled up (0: equal gradient norms). Default 1.5. */
  alpha?: number;
  /** Learning rate of the weights' gradient step. Default 0.025. */
  lr?: number;
}

export const MIN_WEIGHT = 1e-3;

export function gradNormWeighting(options: GradNormOptions = {}): TaskWeighting {
  const alpha = options.alpha ?? 1.5;
  const lr = options.lr ?? 0.025;
  let w = new Map<number, number>();
  let initialLoss = new Map<number, number>();
  const weight = (task: number) => w.get(task) ?? 1;
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    name: 'gradnorm',
    needsGradientNorms: true,
    weight,
    offset: () => 0,
    observe({ tasks, losses, gradientNorms }) {
      if (!gradientNorms) throw new Error('gradnorm: a step observation needs gradientNorms');
      tasks.forEach((t, k) => {
        if (!initialLoss.has(t)) initialLoss.set(t, losses[k]);
      });
      const G = tasks.map((t, k) => weight(t) * gradientNorms[k]);
      const ratios = tasks.map((t, k) => losses[k] / (initialLoss.get(t) as number));
      const meanRatio = mean(ratios);
      const meanG = mean(G);
      const moved = tasks.map((t, k) => {
        const target = meanG * (ratios[k] / meanRatio) ** alpha;
        return Math.max(MIN_WEIGHT, weight(t) - lr * Math.sign(G[k] - target) * gradientNorms[k]);
      });
      const scale = tasks.length / moved.reduce((a, b) => a + b, 0);
      tasks.forEach((t, k) => w.set(t, moved[k] * scale));
    },
    weights: () => new Map([...w.keys()].sort((a, b) => a - b).map((t) => [t, weight(t)])),
    state: () => ({ weights: taskMapState(w), initialLoss: taskMapState(initialLoss) }),
    restore(value, where) {
      const state = new StateReader(value, where);
      const weights = taskMapFromState(state.raw('weights'), `${where}.weights`);
      initialLoss = taskMapFromState(state.raw('initialLoss'), `${where}.initialLoss`);
      w = weights;
    },
  };
}
