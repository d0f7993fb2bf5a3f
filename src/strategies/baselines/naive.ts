import type { Strategy, StrategyOptions } from '../../training/strategy.js';

/**
 * Naive fine-tuning: train on each experience in turn with nothing to protect what was
 * learnt before. The lower bound every method is measured against; in class-IL it
 * forgets almost everything but the last experience.
 */
export function naive(options: StrategyOptions = {}): Strategy {
  return { name: 'naive', plugins: [...(options.plugins ?? [])] };
}
