/**
 * A learner described as plain data: the model by its registry type and options, the strategy by
 * name and options (as a config's `strategies` entry), the optimizer by name. Saved with the
 * learner (unforget.json's `description`), so that `loadLearner(dir)` builds the same learner again;
 * the service's model configs use the same words.
 */
import { z } from 'zod';
import * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';
import { schemaProblems } from '../core/validation.js';
import { adam, sgd } from '../engine/optimizers/index.js';
import { augmentOptions } from '../data/augment.js';
import type { Classifier } from '../models/classifier.js';
import { models } from '../models/registry.js';
import { createStrategy, strategyParts } from '../strategies/registry.js';
import type { Strategy } from '../training/strategy.js';

export const optimizerConfig = z.strictObject({
  name: z.enum(['sgd', 'adam']).default('adam').describe('the optimizer'),
  lr: z.number().positive().default(1e-3).describe('the learning rate'),
  momentum: z.number().min(0).max(1).default(0).describe("SGD's momentum"),
  epsilon: z.number().positive().optional().describe("Adam's epsilon (default 1e-7, tfjs's)"),
});

export const learnerConfig = z.strictObject({
  model: z
    .looseObject({ type: z.string().default('mlp') })
    .describe('a registered model type and its options'),
  strategy: z
    .union([z.string().min(1), z.looseObject({ name: z.string().min(1) })])
    .describe('a strategy name, or { name, ...its options } as a config entry'),
  optimizer: optimizerConfig.default({ name: 'adam', lr: 1e-3, momentum: 0 }),
  sampleShape: z.array(z.number().int().positive()).min(1).describe('the shape of one example'),
  numClasses: z
    .number()
    .int()
    .min(2)
    .describe("the model's outputs: the most classes it can learn, unless growOutputs"),
  growOutputs: z
    .boolean()
    .default(false)
    .describe('a class id at or beyond the outputs grows the head to it, instead of being refused'),
  classNames: z.array(z.string()).optional().describe('names of the classes by id'),
  /** The heads of a multi-head model, one per experience. */
  experiences: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('experiences of a multi-head model (its heads)'),
  activeOutputs: z.enum(['seen', 'all', 'evaluation']).default('seen'),
  tasks: z.number().int().positive().optional().describe('tasks to expect, for A-GEM and GEM'),
  augment: augmentOptions.optional(),
  seed: z.number().int().min(0).default(0).describe("seeds the model's weights and the method's draws"),
});

export type LearnerConfig = z.input<typeof learnerConfig>;
export type ResolvedLearnerConfig = z.output<typeof learnerConfig>;

/** Validates a learner config, naming the first bad field (ConfigError). */
export function parseLearnerConfig(data: unknown, prefix = ''): ResolvedLearnerConfig {
  const result = learnerConfig.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const [first] = schemaProblems(learnerConfig, result.error, prefix);
  throw new ConfigError(first.path, first.message);
}

/**
 * The parts a config describes, built: a model factory (every call a fresh model, of the current
 * number of outputs), the strategy, the optimizer factory, and where the config grows its outputs,
 * the builder a growth calls (which the model factory then follows).
 */
export interface BuiltParts {
  readonly makeModel: () => Classifier;
  readonly growModel?: (numClasses: number) => Classifier;
  readonly strategy: (makeModel: () => Classifier) => Strategy;
  readonly optimizer: () => tf.Optimizer;
}

/** Builds what `config` describes; `baseDir` resolves a `layers` model's path. */
export async function buildParts(config: ResolvedLearnerConfig, baseDir: string): Promise<BuiltParts> {
  const { type, ...modelOptions } = config.model;
  const definition = models.get(type, 'model.type');
  const parsed = definition.options.safeParse(modelOptions, { reportInput: true });
  if (!parsed.success) {
    const [first] = schemaProblems(definition.options, parsed.error, 'model');
    throw new ConfigError(first.path, first.message);
  }
  if (config.growOutputs && definition.fixedOutputs) {
    throw new ConfigError(
      'growOutputs',
      `expected a model type that is built for its number of outputs; a ${type} model has its file's`,
    );
  }
  const prepared = await definition.prepare?.(parsed.data, { baseDir });
  const shape = {
    inputShape: config.sampleShape,
    experiences: config.experiences ?? 1,
    seed: config.seed,
  };
  // The strategies' copies (LwF's, iCaRL's frozen models) follow the head as it grows.
  let outputs = config.numClasses;
  const build = (numClasses: number) => definition.build(parsed.data, { ...shape, numClasses }, prepared);
  const makeModel = () => build(outputs);
  const entry = typeof config.strategy === 'string' ? { name: config.strategy } : config.strategy;
  const { name, ...options } = entry as { name: string } & Record<string, unknown>;
  strategyParts(name, 'strategy.name');
  const { optimizer: o } = config;
  const optimizer =
    o.name === 'adam'
      ? () => adam({ learningRate: o.lr, ...(o.epsilon ? { epsilon: o.epsilon } : {}) })
      : () => sgd({ learningRate: o.lr, momentum: o.momentum });
  return {
    makeModel,
    ...(config.growOutputs
      ? {
          growModel: (numClasses: number) => {
            outputs = numClasses;
            return build(numClasses);
          },
        }
      : {}),
    strategy: (copyModel) => createStrategy(name, { seed: config.seed, ...options, copyModel }),
    optimizer,
  };
}
