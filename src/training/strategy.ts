import type { Stream } from '../benchmarks/stream.js';
import type { Dataset } from '../data/dataset.js';
import type { Plugin } from './plugin.js';
import type { Classifier } from '../models/classifier.js';

/**
 * Which data to train on at experience `index`: by default the experience's own train set.
 * `null` means "nothing to train on here": the template still emits the experience's events
 * (with zero samples) and evaluates, so the accuracy matrix keeps one row per experience.
 */
export type TrainingSetSelector = (stream: Stream, index: number) => Dataset | null;

/**
 * A continual-learning method as the template consumes it: a name, the plugins that make the
 * method, and which data it trains on. Spread it into `fit`'s options:
 * `fit({ ...naive(), stream, model, optimizer, ... })`.
 */
export interface Strategy {
  /** Registry name, reported in the `run-start` event. */
  readonly name: string;
  readonly plugins: readonly Plugin[];
  readonly trainingSet?: TrainingSetSelector;
  /**
   * True when `trainingSet` only adds rows that the plugins replay themselves on a live stream
   * (iCaRL's exemplars), so that a Learner, which has no experience's data to select from, can
   * run the strategy.
   */
  readonly replaysLive?: boolean;
}

/** Options every strategy factory takes. */
export interface StrategyOptions {
  /** Plugins added after the method's own (e.g. a logger-side probe, or a second method to compose). */
  plugins?: readonly Plugin[];
  /**
   * A fresh model of the trained model's architecture, for methods that keep a frozen copy of it
   * (LwF); the runner passes it to every method, the others ignore it.
   */
  copyModel?: () => Classifier;
  /** Seeds the method's own random draws (which examples a memory keeps, sampled labels). Default 0. */
  seed?: number;
}
