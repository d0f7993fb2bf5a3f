/**
 * Several methods as one strategy: `combine(ewc(), lwf({ copyModel }))` trains with the plugins
 * of all of them (the template adds up their loss terms and replayed batches; plugins never
 * touch each other's state, so the order does not matter). At most one of them may choose the
 * training data (Cumulative, Joint).
 */
import { ConfigError } from '../core/errors.js';
import type { Strategy } from './strategy.js';

export function combine(...strategies: Strategy[]): Strategy {
  if (!strategies.length) throw new ConfigError('strategies', 'expected at least one strategy to combine');
  const selectors = strategies.filter((s) => s.trainingSet);
  if (selectors.length > 1) {
    throw new ConfigError(
      'strategies',
      `expected at most one strategy that chooses the training data, got ${selectors.map((s) => s.name).join(' and ')}`,
    );
  }
  return {
    name: strategies.map((s) => s.name).join('+'),
    plugins: strategies.flatMap((s) => s.plugins),
    ...(selectors.length ? { trainingSet: selectors[0].trainingSet } : {}),
    ...(selectors[0]?.replaysLive ? { replaysLive: true } : {}),
  };
}
