/**
 * Dynamic Weight Average (Liu, Johns & Davison 2019, "End-to-End Multi-Task Learning with
 * Attention", MTAN): a task whose loss fell less over the last period gets more weight,
 *   w_t = K exp(r_t / T) / sum_j exp(r_j / T),   r_t = Lbar_t(e-1) / Lbar_t(e-2),
 * Lbar_t(e) the task's average loss over period e, K the number of tasks, T the temperature;
 * the paper's periods are epochs and its weights are 1 for the first two. In continual learning
 * an experience often lasts a single epoch, so the period is an option: `window` training steps,
 * or (without it) the template's epochs. A task that has not yet completed two periods of its own
 * (one that arrived recently) has r_t = 1, and a period in which a task had no rows leaves its
 * averages as they were. The weights change only when a period ends.
 */
import { DataFormatError } from '../../../core/errors.js';
import { StateReader } from '../../../core/state.js';
import { taskMapFromState, taskMapState, type TaskWeighting } from './weighting.js';

export interface DwaOptions {
  /** Temperature T (larger: weights closer to equal). Default 2, as in the paper. */
  temperature?: number;
  /** Steps per averaging period; default: the template's epochs. */
  window?: number;
}

export function dwaWeighting(options: DwaOptions = {}): TaskWeighting {
  const temperature = options.temperature ?? 2;
  const { window } = options;
  // Per task: the loss sum and step count of the open period, and the last two closed averages.
  let open = new Map<number, { sum: number; count: number }>();
  let history = new Map<number, number[]>();
  let w = new Map<number, number>();
  let steps = 0;

  const closePeriod = () => {
    for (const [t, { sum, count }] of open)
      history.set(t, [...(history.get(t) ?? []), sum / count].slice(-2));
    open.clear();
    const tasks = [...history.keys()].sort((a, b) => a - b);
    const r = tasks.map((t) => {
      const h = history.get(t) as number[];
      return h.length === 2 ? h[1] / h[0] : 1;
    });
    const exps = r.map((v) => Math.exp(v / temperature));
    const total = exps.reduce((a, b) => a + b, 0);
    w = new Map(tasks.map((t, k) => [t, (tasks.length * exps[k]) / total]));
  };

  return {
    name: 'dwa',
    weight: (task) => w.get(task) ?? 1,
    offset: () => 0,
    observe({ tasks, losses }) {
      tasks.forEach((t, k) => {
        const period = open.get(t) ?? { sum: 0, count: 0 };
        open.set(t, { sum: period.sum + losses[k], count: period.count + 1 });
      });
      steps++;
      if (window !== undefined && steps % window === 0) closePeriod();
    },
    endEpoch() {
      if (window === undefined) closePeriod();
    },
    weights: () => {
      const seen = new Set([...history.keys(), ...open.keys()]);
      return new Map([...seen].sort((a, b) => a - b).map((t) => [t, w.get(t) ?? 1]));
    },
    // The open period's sums and counts, each task's last averages (one or two) and the weights.
    state: () => ({
      steps,
      openSums: taskMapState(new Map([...open].map(([t, p]) => [t, p.sum]))),
      openCounts: taskMapState(new Map([...open].map(([t, p]) => [t, p.count]))),
      history: [...history].map(([t, h]) => ({ task: t, averages: Float64Array.from(h) })),
      weights: taskMapState(w),
    }),
    restore(value, where) {
      const state = new StateReader(value, where);
      const sums = taskMapFromState(state.raw('openSums'), `${where}.openSums`);
      const counts = taskMapFromState(state.raw('openCounts'), `${where}.openCounts`);
      const restoredHistory = state.list('history').map((entry, k): [number, number[]] => {
        const r = new StateReader(entry, `${where}.history[${k}]`);
        const averages = r.raw('averages');
        if (!(averages instanceof Float64Array) || averages.length < 1 || averages.length > 2) {
          throw new DataFormatError(`${where}.history[${k}]`, 'averages: expected 1 or 2 float64 values');
        }
        return [r.integer('task'), Array.from(averages)];
      });
      const restoredWeights = taskMapFromState(state.raw('weights'), `${where}.weights`);
      steps = state.integer('steps');
      open = new Map([...sums].map(([t, sum]) => [t, { sum, count: counts.get(t) ?? 0 }]));
      history = new Map(restoredHistory);
      w = restoredWeights;
    },
  };
}
