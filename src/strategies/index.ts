/** Strategies: the training template, the plugin interface and the methods (see DESIGN.md). */
export { fit, fitAsync, RunInterrupted, type FitCheckpointing, type FitOptions } from './template.js';
export {
  assertCheckpointable,
  checkpointFromState,
  checkpointToState,
  type FitCheckpoint,
  type TrainingPosition,
} from './fit-checkpoint.js';
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
export { ewc, onlineEwc, ewcPlugin, ewcPenalty, type EwcOptions, type EwcPlugin } from './ewc.js';
export { diagonalFisher } from './fisher.js';
export { si, siPlugin, type SiOptions } from './si.js';
export { mas, masPlugin, masImportance, type MasOptions } from './mas.js';
export { lwf, lwfPlugin, distillation, type LwfOptions } from './lwf.js';
export { combine } from './combine.js';
export { ActiveClasses, maskLogits, maskRows, INACTIVE_LOGIT, type ActiveOutputs } from './active-classes.js';
export { fitOnline } from './online-template.js';
export { er, erPlugin, type ErOptions, type ErPlugin } from './er.js';
export { der, derpp, derPlugin, type DerOptions, type DerPlugin } from './der.js';
export { erAce, erAcePlugin, type ErAceOptions, type ErAcePlugin } from './er-ace.js';
export { type ReplayBufferOptions } from './replay-buffer-option.js';
export { agem, agemPlugin, agemProjection, type AgemOptions, type AgemPlugin } from './agem.js';
export { gem, gemPlugin, gemProjection, type GemOptions, type GemPlugin } from './gem.js';
export { icarl, icarlPlugin, type IcarlOptions, type IcarlPlugin } from './icarl.js';
export { gdumb, gdumbPlugin, gdumbLearningRate, type GdumbOptions, type GdumbPlugin } from './gdumb.js';
export {
  memoryAugmented,
  memoryAugmentedPlugin,
  type MemoryAugmentedOptions,
  type MemoryAugmentedPlugin,
} from './memory-augmented.js';
export { locallyAdaptedLogits, type LocalAdaptationOptions } from './local-adaptation.js';
export {
  multiTask,
  multiTaskReplay,
  multiTaskPlugin,
  type MultiTaskOptions,
  type MultiTaskReplayOptions,
  type MultiTaskPlugin,
} from './multi-task.js';
export {
  createWeighting,
  WEIGHTING_NAMES,
  type TaskWeighting,
  type WeightingName,
  type WeightingOptions,
} from './task-weighting/index.js';
export {
  taskImportance,
  withImportance,
  type TaskImportance,
  type TaskImportanceOptions,
  type TaskImportancePlugin,
} from './task-importance.js';
export {
  importanceReplay,
  importanceReplayPlugin,
  type ImportanceReplayOptions,
} from './importance-replay.js';
