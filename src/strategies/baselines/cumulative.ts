import { z } from 'zod';
import { unionOfTrain } from '../../benchmarks/stream.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';

/** Cumulative takes no options of its own. */
export const cumulativeOptions = z.strictObject({});

/**
 * Cumulative: at experience i, train (the same model, further) on the union of the train sets
 * of experiences 0..i. An upper reference that keeps all past data, at a cost that grows
 * with every experience.
 */
export function cumulative(options: StrategyOptions = {}): Strategy {
  methodOptions('cumulative', cumulativeOptions, options);
  return {
    name: 'cumulative',
    plugins: [...(options.plugins ?? [])],
    trainingSet: (stream, i) => unionOfTrain(stream, i),
  };
}

export const cumulativeDefinition = defineStrategy({
  name: 'cumulative',
  family: 'baselines',
  description: 'retrains on all data seen so far, an upper reference',
  options: cumulativeOptions,
  taskFree: false,
  create: cumulative,
});
