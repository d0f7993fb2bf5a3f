import { z } from 'zod';
import { jointTrain } from '../../benchmarks/stream.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';

/** Joint takes no options of its own. */
export const jointOptions = z.strictObject({});

/**
 * Joint training, the offline upper bound: one training on all train sets of the stream at
 * once, not a continual learner at all.
 *
 * So that its events still give a T x T accuracy matrix, the whole training happens at
 * experience 0 and experiences 1..T-1 have nothing to train on (their `experience-start` /
 * `experience-end` events report zero samples); the template evaluates after every experience,
 * so each row of R is the joint model's accuracy: ACC is the joint accuracy, forgetting and
 * BWT are 0. Avalanche's JointTraining reports the same single model.
 */
export function joint(options: StrategyOptions = {}): Strategy {
  methodOptions('joint', jointOptions, options);
  return {
    name: 'joint',
    plugins: [...(options.plugins ?? [])],
    trainingSet: (stream, i) => (i === 0 ? jointTrain(stream) : null),
  };
}

export const jointDefinition = defineStrategy({
  name: 'joint',
  family: 'baselines',
  description: 'one training on everything at once, the upper bound',
  options: jointOptions,
  taskFree: false,
  create: joint,
});
