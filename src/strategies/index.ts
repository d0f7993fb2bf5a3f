/** Strategies: the methods, by family, and the registry that names them (docs/architecture.md). */
export {
  defineStrategy,
  methodOptions,
  requireCopyModel,
  type StrategyDefinition,
  type StrategyFamily,
} from './definition.js';
export { createStrategy, strategies, strategyParts, type StrategyBuildOptions } from './registry.js';
// Baselines.
export { naive, naiveOptions } from './baselines/naive.js';
export { cumulative, cumulativeOptions } from './baselines/cumulative.js';
export { joint, jointOptions } from './baselines/joint.js';
// Regularization and distillation.
export {
  ewc,
  ewcOptions,
  ewcPlugin,
  ewcPenalty,
  onlineEwcOptions,
  type EwcOptions,
  type EwcPlugin,
} from './regularization/ewc.js';
export { onlineEwc, type OnlineEwcOptions } from './regularization/online-ewc.js';
export { diagonalFisher } from './regularization/fisher.js';
export { si, siOptions, siPlugin, type SiOptions } from './regularization/si.js';
export { mas, masOptions, masPlugin, masImportance, type MasOptions } from './regularization/mas.js';
export { lwf, lwfOptions, lwfPlugin, distillation, type LwfOptions } from './regularization/lwf.js';
// Replay.
export { er, erOptions, erPlugin, type ErOptions, type ErPlugin } from './replay/er.js';
export { der, derOptions, derPlugin, type DerOptions, type DerPlugin } from './replay/der.js';
export { derpp, derppOptions, derppPlugin, type DerppOptions } from './replay/derpp.js';
export { erAce, erAceOptions, erAcePlugin, type ErAceOptions, type ErAcePlugin } from './replay/er-ace.js';
export { replayBufferOptions, type ReplayBufferOptions } from './replay/replay-memory.js';
export {
  agem,
  agemOptions,
  agemPlugin,
  agemProjection,
  type AgemOptions,
  type AgemPlugin,
} from './replay/agem.js';
export { gem, gemOptions, gemPlugin, gemProjection, type GemOptions, type GemPlugin } from './replay/gem.js';
export { icarl, icarlOptions, icarlPlugin, type IcarlOptions, type IcarlPlugin } from './replay/icarl.js';
export {
  gdumb,
  gdumbOptions,
  gdumbPlugin,
  gdumbLearningRate,
  type GdumbOptions,
  type GdumbPlugin,
} from './replay/gdumb.js';
// Memory-augmented.
export {
  memoryAugmented,
  memoryAugmentedOptions,
  memoryAugmentedPlugin,
  type MemoryAugmentedOptions,
  type MemoryAugmentedPlugin,
} from './memory-augmented/memory-augmented.js';
export { locallyAdaptedLogits, type LocalAdaptationOptions } from './memory-augmented/local-adaptation.js';
// Multi-task.
export {
  multiTask,
  multiTaskOptions,
  multiTaskPlugin,
  type MultiTaskOptions,
  type MultiTaskPlugin,
} from './multi-task/multi-task.js';
export {
  multiTaskReplay,
  multiTaskReplayOptions,
  type MultiTaskReplayOptions,
} from './multi-task/multi-task-replay.js';
export {
  createWeighting,
  WEIGHTING_NAMES,
  type TaskWeighting,
  type WeightingName,
  type WeightingOptions,
} from './multi-task/task-weighting/index.js';
// Task importance.
export {
  taskImportance,
  withImportance,
  importanceOptions,
  type TaskImportance,
  type TaskImportanceOptions,
  type TaskImportancePlugin,
} from './task-importance/task-importance.js';
export {
  importanceReplay,
  importanceReplayOptions,
  importanceReplayPlugin,
  type ImportanceReplayOptions,
} from './task-importance/importance-replay.js';
export {
  importanceEwc,
  importanceEwcOptions,
  type ImportanceEwcOptions,
} from './task-importance/importance-ewc.js';
export {
  importanceLwf,
  importanceLwfOptions,
  type ImportanceLwfOptions,
} from './task-importance/importance-lwf.js';
