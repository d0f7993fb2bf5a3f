import { z } from 'zod';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';

/** Naive takes no options of its own. */
export const naiveOptions = z.strictObject({});

/**
 * Naive fine-tuning: train on each experience in turn with nothing to protect what was
 * learnt before. The lower bound every method is measured against; in class-IL it
 * forgets almost everything but the last experience.
 */
export function naive(options: StrategyOptions = {}): Strategy {
  methodOptions('naive', naiveOptions, options);
  return { name: 'naive', plugins: [...(options.plugins ?? [])] };
}

export const naiveDefinition = defineStrategy({
  name: 'naive',
  family: 'baselines',
  description: 'fine-tuning on each experience in turn, the lower bound',
  options: naiveOptions,
  taskFree: true,
  create: naive,
});
