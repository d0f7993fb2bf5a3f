/** Equal weighting: w_t = 1 for every task, L = sum_t L_t (the usual multi-task baseline). */
import { StateReader } from '../../../core/state.js';
import type { TaskWeighting } from './weighting.js';

export function equalWeighting(): TaskWeighting {
  const seen = new Set<number>();
  return {
    name: 'equal',
    weight: () => 1,
    offset: () => 0,
    observe: (step) => step.tasks.forEach((t) => seen.add(t)),
    weights: () => new Map([...seen].sort((a, b) => a - b).map((t) => [t, 1])),
    state: () => ({ seen: Int32Array.from(seen) }),
    restore(value, where) {
      const tasks = new StateReader(value, where).ints('seen');
      seen.clear();
      tasks.forEach((t) => seen.add(t));
    },
  };
}
