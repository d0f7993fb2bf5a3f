/**
 * `createLearner`: a Learner (training/learner.ts) from a config of plain data — its model by
 * registry type, its strategy by name, its optimizer by name, saved with it so that `loadLearner`
 * builds it again — or from objects you made (a model, a strategy, an optimizer factory).
 */
import { ConfigError } from '../core/errors.js';
import { Learner, type LearnerOptions } from '../training/learner.js';
import {
  buildParts,
  parseLearnerConfig,
  type LearnerConfig,
  type ResolvedLearnerConfig,
} from './learner-config.js';

/** True for options of objects (a Classifier has `logits`), false for a config of plain data. */
function isObjects(options: LearnerConfig | LearnerOptions): options is LearnerOptions {
  return typeof (options.model as { logits?: unknown }).logits === 'function';
}

/**
 * A learner from a config (`{ model: { type: 'mlp', hiddenSizes: [100] }, strategy: { name: 'er',
 * bufferSize: 500 }, sampleShape: [784], numClasses: 10 }`) or from objects (`{ model, strategy,
 * optimizer, sampleShape }`). A config's relative paths (a `layers` model's file) are read from
 * `baseDir`.
 */
export async function createLearner(
  options: LearnerConfig | LearnerOptions,
  baseDir = process.cwd(),
): Promise<Learner> {
  if (isObjects(options)) return new Learner(options);
  return learnerFromConfig(parseLearnerConfig(options), baseDir);
}

/** The learner a validated config describes, its model its own (freed with it). */
export async function learnerFromConfig(config: ResolvedLearnerConfig, baseDir: string): Promise<Learner> {
  const parts = await buildParts(config, baseDir);
  const model = parts.makeModel();
  try {
    return new Learner({
      ...(parts.growModel ? { growModel: parts.growModel } : {}),
      model,
      strategy: parts.strategy(parts.makeModel),
      optimizer: parts.optimizer,
      sampleShape: config.sampleShape,
      activeOutputs: config.activeOutputs,
      seed: config.seed,
      ownsModel: true,
      description: config,
      ...(config.classNames ? { classNames: config.classNames } : {}),
      ...(config.tasks ? { tasks: config.tasks } : {}),
      ...(config.augment ? { augment: config.augment } : {}),
    });
  } catch (error) {
    model.dispose();
    // The config's word for a growing head.
    if (error instanceof ConfigError && error.field === 'growModel') {
      throw new ConfigError('growOutputs', error.message.slice('growModel: '.length));
    }
    throw error;
  }
}
