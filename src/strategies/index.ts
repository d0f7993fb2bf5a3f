/** Strategies: the methods, by family, and the registry that names them (docs/architecture.md). */
export { naive } from './baselines/naive.js';
export { cumulative } from './baselines/cumulative.js';
export { joint } from './baselines/joint.js';
export {
  createStrategy,
  isStrategyName,
  strategyRegistry,
  type StrategyFactory,
  type StrategyName,
} from './registry.js';
export {
  ewc,
  onlineEwc,
  ewcPlugin,
  ewcPenalty,
  type EwcOptions,
  type EwcPlugin,
} from './regularization/ewc.js';
export { diagonalFisher } from './regularization/fisher.js';
export { si, siPlugin, type SiOptions } from './regularization/si.js';
export { mas, masPlugin, masImportance, type MasOptions } from './regularization/mas.js';
export { lwf, lwfPlugin, distillation, type LwfOptions } from './regularization/lwf.js';
export { er, erPlugin, type ErOptions, type ErPlugin } from './replay/er.js';
export { der, derpp, derPlugin, type DerOptions, type DerPlugin } from './replay/der.js';
export { erAce, erAcePlugin, type ErAceOptions, type ErAcePlugin } from './replay/er-ace.js';
export { type ReplayBufferOptions } from './replay/replay-memory.js';
export { agem, agemPlugin, agemProjection, type AgemOptions, type AgemPlugin } from './replay/agem.js';
export { gem, gemPlugin, gemProjection, type GemOptions, type GemPlugin } from './replay/gem.js';
export { icarl, icarlPlugin, type IcarlOptions, type IcarlPlugin } from './replay/icarl.js';
export {
  gdumb,
  gdumbPlugin,
  gdumbLearningRate,
  type GdumbOptions,
  type GdumbPlugin,
} from './replay/gdumb.js';
export {
  memoryAugmented,
  memoryAugmentedPlugin,
  type MemoryAugmentedOptions,
  type MemoryAugmentedPlugin,
} from './memory-augmented/memory-augmented.js';
export { locallyAdaptedLogits, type LocalAdaptationOptions } from './memory-augmented/local-adaptation.js';
export {
  multiTask,
  multiTaskReplay,
  multiTaskPlugin,
  type MultiTaskOptions,
  type MultiTaskReplayOptions,
  type MultiTaskPlugin,
} from './multi-task/multi-task.js';
export {
  createWeighting,
  WEIGHTING_NAMES,
  type TaskWeighting,
  type WeightingName,
  type WeightingOptions,
} from './multi-task/task-weighting/index.js';
export {
  taskImportance,
  withImportance,
  type TaskImportance,
  type TaskImportanceOptions,
  type TaskImportancePlugin,
} from './task-importance/task-importance.js';
export {
  importanceReplay,
  importanceReplayPlugin,
  type ImportanceReplayOptions,
} from './task-importance/importance-replay.js';
