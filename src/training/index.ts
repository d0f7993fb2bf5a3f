/** Training: the template (`fit`), its online path, the plugin contract, evaluation (docs/architecture.md). */
export { fit, fitAsync, RunInterrupted, type FitCheckpointing, type FitOptions } from './template.js';
export { fitOnline } from './online-template.js';
export {
  DriftWatch,
  ERROR_DRIFT_DETECTORS,
  type DriftWatchOptions,
  type ErrorDriftDetectorName,
} from './drift-watch.js';
export { evaluate, type EvaluateOptions } from './evaluate.js';
export type {
  Batch,
  EpochContext,
  ExperienceContext,
  EvaluationContext,
  GradientContext,
  LossContext,
  Plugin,
  StepContext,
  StepEndContext,
} from './plugin.js';
export type { Strategy, StrategyOptions, TrainingSetSelector } from './strategy.js';
export { combine } from './combine.js';
export { assertCheckpointable, assertSameStrategy } from './checkpointable.js';
export { ActiveClasses, maskLogits, maskRows, INACTIVE_LOGIT, type ActiveOutputs } from './active-classes.js';
export {
  Learner,
  saveLearnerFiles,
  stateAfterFit,
  type PredictOptions,
  LEARNER_STATE_FORMAT,
  type LabelledExamples,
  type LearnerEvaluation,
  type LearnerOptions,
  type Prediction,
} from './learner.js';
