/**
 * The models a config can name (`model.type`), each with its options as a zod schema (the one
 * source of their defaults and checks) and a builder that takes the stream's shape.
 */
import { z } from 'zod';
import { createRegistry } from '../core/registry.js';
import type { Classifier } from './classifier.js';
import { mlp, multiHeadMlp } from './mlp.js';

/** What a model is built for: the stream's sample shape, classes and experiences, and the run's seed. */
export interface ModelShape {
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly experiences: number;
  readonly seed: number;
}

export interface ModelDefinition<Options extends z.ZodObject = z.ZodObject> {
  /** What a config's `model.type` calls it. */
  readonly name: string;
  readonly description: string;
  /** Its options besides `type`; each field's `description` is the line `unforget list` shows. */
  readonly options: Options;
  build(options: z.output<Options>, shape: ModelShape): Classifier;
}

/** A model's definition, typed by its options schema. */
export function defineModel<Options extends z.ZodObject>(
  definition: ModelDefinition<Options>,
): ModelDefinition<Options> {
  return definition;
}

/** The options both MLPs take. */
export const mlpOptions = z.strictObject({
  hiddenSizes: z
    .array(z.number().int().positive())
    .default([400, 400])
    .describe('units of each hidden layer'),
  activation: z.enum(['relu', 'sigmoid', 'tanh']).default('relu').describe("the hidden layers' activation"),
  init: z
    .enum(['glorot', 'fan-in-uniform'])
    .default('glorot')
    .describe("weights' initialisation: Keras's glorot, or PyTorch nn.Linear's ±1/sqrt(fan-in)"),
});

export const models = createRegistry<ModelDefinition>('model', [
  defineModel({
    name: 'mlp',
    description: 'multi-layer perceptron',
    options: mlpOptions,
    build: (options, shape) => mlp({ ...options, ...shape }),
  }),
  defineModel({
    name: 'multi-head-mlp',
    description: 'shared MLP trunk, one output head per experience, picked by task id (task-IL)',
    options: mlpOptions,
    build: (options, shape) => multiHeadMlp({ ...options, ...shape, heads: shape.experiences }),
  }),
] as ModelDefinition[]);
