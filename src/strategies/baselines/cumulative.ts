import { unionOfTrain } from '../../benchmarks/stream.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';

/**
 * Cumulative: at experience i, train (the same model, further) on the union of the train sets
 * of experiences 0..i. An upper reference that keeps all past data, at a cost that grows
 * with every experience.
 */
export function cumulative(options: StrategyOptions = {}): Strategy {
  return {
    name: 'cumulative',
    plugins: [...(options.plugins ?? [])],
    trainingSet: (stream, i) => unionOfTrain(stream, i),
  };
}
