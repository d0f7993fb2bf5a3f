/**
 * Importance-weighted EWC: EWC (regularization/ewc.ts, separate mode) whose penalty for past
 * experience k is multiplied by the estimated importance of task k (task-importance.ts), folded
 * again whenever the estimate moves. `importance-ewc-uniform` is the same method with all weights
 * 1 (the estimate is still measured, on the same held-out rows): plain EWC on the same data.
 */
import type { z } from 'zod';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { ewc, ewcOptions } from '../regularization/ewc.js';
import { defineStrategy, methodOptions } from '../definition.js';
import { importanceOptions, withImportance } from './task-importance.js';

/** Importance-weighted EWC's options (`importance-ewc` in a config): EWC's and the estimator's. */
export const importanceEwcOptions = ewcOptions.extend(importanceOptions);

/** `importance-ewc-uniform`'s: the same, its weighting fixed to uniform. */
export const importanceEwcUniformOptions = importanceEwcOptions.omit({ weighting: true });

export type ImportanceEwcOptions = StrategyOptions & z.input<typeof importanceEwcOptions>;

/** Importance-weighted EWC: the estimator, then EWC reading its weights. */
export function importanceEwc(options: ImportanceEwcOptions = {}): Strategy {
  const { lambda, fisherMode, fisherSamples, ...importance } = methodOptions(
    'importance-ewc',
    importanceEwcOptions,
    options,
  );
  const { seed, plugins } = options;
  return withImportance('importance-ewc', { ...importance, seed }, (taskWeights) =>
    ewc({ lambda, fisherMode, fisherSamples, seed, plugins, mode: 'separate', taskWeights }),
  );
}

export const importanceEwcDefinition = defineStrategy({
  name: 'importance-ewc',
  family: 'task-importance',
  description:
    "importance-weighted EWC (Kirkpatrick et al. 2017): each past experience's penalty scaled by its task's estimated importance",
  options: importanceEwcOptions,
  taskFree: false,
  create: importanceEwc,
});

export const importanceEwcUniformDefinition = defineStrategy({
  name: 'importance-ewc-uniform',
  family: 'task-importance',
  description:
    'importance-weighted EWC with uniform weights: EWC (Kirkpatrick et al. 2017) on the same training data',
  options: importanceEwcUniformOptions,
  taskFree: false,
  create: (options) => importanceEwc({ ...options, weighting: 'uniform' }),
});
