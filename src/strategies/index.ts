/** Strategies: the training template, the plugin interface and the methods (see DESIGN.md). */
export { fit, type FitOptions } from './template.js';
export { evaluate, type EvaluateOptions } from './evaluate.js';
export type {
  Batch,
  EpochContext,
  ExperienceContext,
  LossContext,
  Plugin,
  StepContext,
  StepEndContext,
} from './plugin.js';
export type { Strategy, StrategyOptions, TrainingSetSelector } from './strategy.js';
export { naive } from './naive.js';
export { cumulative } from './cumulative.js';
export { joint } from './joint.js';
export {
  createStrategy,
  isStrategyName,
  strategyRegistry,
  type StrategyFactory,
  type StrategyName,
} from './registry.js';
