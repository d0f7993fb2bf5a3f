/**
 * Importance-weighted LwF: Learning without Forgetting (regularization/lwf.ts) whose distillation
 * of each old task (task-IL) or of each old class (class-IL, by the task it came with) is
 * multiplied by that task's estimated importance (task-importance.ts). `importance-lwf-uniform`
 * is the same method with all weights 1 (the estimate is still measured, on the same held-out
 * rows): plain LwF on the same data.
 */
import type { z } from 'zod';
import type { Classifier } from '../../models/classifier.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { lwf, lwfOptions } from '../regularization/lwf.js';
import { defineStrategy, methodOptions, requireCopyModel } from '../definition.js';
import { importanceOptions, withImportance } from './task-importance.js';

/** Importance-weighted LwF's options (`importance-lwf` in a config): LwF's and the estimator's. */
export const importanceLwfOptions = lwfOptions.extend(importanceOptions);

/** `importance-lwf-uniform`'s: the same, its weighting fixed to uniform. */
export const importanceLwfUniformOptions = importanceLwfOptions.omit({ weighting: true });

export type ImportanceLwfOptions = StrategyOptions &
  z.input<typeof importanceLwfOptions> & {
    /** Makes a fresh model with the trained model's architecture (its variables in the same order). */
    copyModel: () => Classifier;
  };

/** Importance-weighted LwF: the estimator, then LwF reading its weights. */
export function importanceLwf(options: ImportanceLwfOptions): Strategy {
  const { alpha, temperature, classReduction, ...importance } = methodOptions(
    'importance-lwf',
    importanceLwfOptions,
    options,
  );
  const copyModel = requireCopyModel('importance-lwf', options);
  const { seed, plugins } = options;
  return withImportance('importance-lwf', { ...importance, seed }, (taskWeights) =>
    lwf({ alpha, temperature, classReduction, copyModel, seed, plugins, taskWeights }),
  );
}

export const importanceLwfDefinition = defineStrategy({
  name: 'importance-lwf',
  family: 'task-importance',
  description:
    "importance-weighted LwF (Li & Hoiem 2017): each old task's distillation scaled by its estimated importance",
  options: importanceLwfOptions,
  taskFree: false,
  create: (options) => importanceLwf({ ...options, copyModel: requireCopyModel('importance-lwf', options) }),
});

export const importanceLwfUniformDefinition = defineStrategy({
  name: 'importance-lwf-uniform',
  family: 'task-importance',
  description:
    'importance-weighted LwF with uniform weights: LwF (Li & Hoiem 2017) on the same training data',
  options: importanceLwfUniformOptions,
  taskFree: false,
  create: (options) =>
    importanceLwf({
      ...options,
      weighting: 'uniform',
      copyModel: requireCopyModel('importance-lwf-uniform', options),
    }),
});
