/**
 * Rolls training back to an earlier healthy state when it collapses. An NTM on the copy task can,
 * after one unlucky gradient spike, fall into a state it does not leave: the write head's weighting
 * turns uniform, every slot receives the same writes, content addressing over identical slots stays
 * uniform, and the output becomes a constant (loss ln 2 per bit; measured, docs/results.md). Large
 * training runs meet the same kind of event and answer it the same way: go back to a checkpoint
 * from before the spike and continue on other batches.
 *
 * The caller reports the mean training loss of each window of steps. A window is a collapse when
 * its loss is above both `minLoss` and `factor` times the best window so far; the guard then puts
 * back the weights and optimizer state saved at the end of the healthy window before the last one
 * (the last one may already have been sliding), and the caller trains on, on fresh batches.
 * Snapshots are plain typed-array copies: no tensor is held between windows.
 */
import type * as tf from '../../engine/tf.js';
import type { StateValue } from '../../core/state.js';
import type { CheckpointableOptimizer } from '../../engine/optimizers/common.js';
import { restoreVariables, variablesState } from '../../engine/tensor-state.js';

export interface DivergenceGuardOptions {
  /** A window counts as a collapse when its loss exceeds `factor` x the best window's. Default 10. */
  factor?: number;
  /** ... and exceeds this absolute loss (early, noisy windows never count). Default 0.1. */
  minLoss?: number;
}

export interface DivergenceGuard {
  /** Reports a finished window's mean loss; returns true when it rolled the training back. */
  endWindow(loss: number): boolean;
  /** How many times it rolled back. */
  readonly rollbacks: number;
}

interface Snapshot {
  weights: Float32Array[];
  optimizer: StateValue;
}

export function divergenceGuard(
  variables: readonly tf.Variable[],
  optimizer: CheckpointableOptimizer,
  options: DivergenceGuardOptions = {},
): DivergenceGuard {
  const factor = options.factor ?? 10;
  const minLoss = options.minLoss ?? 0.1;
  if (!(factor > 1)) throw new Error(`divergenceGuard: factor: expected a number > 1, got ${factor}`);
  if (!(minLoss > 0)) throw new Error(`divergenceGuard: minLoss: expected a positive number, got ${minLoss}`);
  let best = Infinity;
  let older: Snapshot | null = null;
  let latest: Snapshot | null = null;
  let rollbacks = 0;
  const take = (): Snapshot => ({
    weights: variablesState(variables),
    optimizer: optimizer.saveState(variables),
  });
  return {
    endWindow(loss) {
      const collapsed = !(loss <= Math.max(minLoss, factor * best)); // NaN counts as a collapse
      const target = older ?? latest;
      if (collapsed && target) {
        restoreVariables(variables, target.weights, 'divergence guard');
        optimizer.loadState(variables, target.optimizer);
        // The restored state is the newest healthy one now; the slid one is forgotten.
        latest = target;
        older = null;
        rollbacks++;
        return true;
      }
      if (!collapsed) {
        best = Math.min(best, loss);
        older = latest;
        latest = take();
      }
      return false;
    },
    get rollbacks() {
      return rollbacks;
    },
  };
}
