/**
 * The models a config can name (`model.type`), each with its options as a zod schema (the one
 * source of their defaults and checks) and a builder that takes the stream's shape. A model read
 * from a file (`layers`) is read once by its `prepare`, before any is built.
 */
import { z } from 'zod';
import { createRegistry } from '../core/registry.js';
import type { Classifier } from './classifier.js';
import { mlp, multiHeadMlp } from './mlp.js';
import { CNN_DEFAULTS, cnn } from './cnn.js';
import { RESNET_DEFAULTS, resnet18, resnet18Reduced } from './resnet.js';
import { buildLayersFileModel, readLayersFile, type LayersFile } from './layers-file.js';

/** What a model is built for: the stream's sample shape, classes and experiences, and the run's seed. */
export interface ModelShape {
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly experiences: number;
  readonly seed: number;
}

/** What `prepare` is told besides the options. */
export interface ModelPrepareContext {
  /** The folder a relative path in the options is read from: the config file's. */
  readonly baseDir: string;
}

export interface ModelDefinition<Options extends z.ZodObject = z.ZodObject, Prepared = unknown> {
  /** What a config's `model.type` calls it. */
  readonly name: string;
  readonly description: string;
  /** Its options besides `type`; each field's `description` is the line `unforget list` shows. */
  readonly options: Options;
  /**
   * Optional: the asynchronous work a model needs before any is built (reading a file), done once
   * per run: `const prepared = await definition.prepare?.(options, { baseDir })`, then
   * `build(options, shape, prepared)` for the model and for every copy a strategy makes (which
   * must be synchronous). What it returns holds no tensors (nothing to dispose); a definition with
   * a `prepare` refuses a `build` without its result.
   */
  prepare?(options: z.output<Options>, context: ModelPrepareContext): Promise<Prepared>;
  /** True where the model's outputs are its own (a file's), not `shape.numClasses`: it cannot grow a head. */
  readonly fixedOutputs?: boolean;
  /** A new model for the stream's shape (`prepared`: what `prepare` returned, where there is one). */
  build(options: z.output<Options>, shape: ModelShape, prepared?: Prepared): Classifier;
}

/** A model's definition, typed by its options schema (and what its `prepare` gives). */
export function defineModel<Options extends z.ZodObject, Prepared = unknown>(
  definition: ModelDefinition<Options, Prepared>,
): ModelDefinition<Options, Prepared> {
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

const weightInit = (defaultValue: 'glorot' | 'fan-in-uniform') =>
  z
    .enum(['glorot', 'fan-in-uniform'])
    .default(defaultValue)
    .describe("weights' initialisation: Keras's glorot, or PyTorch's ±1/sqrt(fan-in)");

const batchNormMomentum = (defaultValue: number) =>
  z
    .number()
    .min(0)
    .lt(1)
    .default(defaultValue)
    .describe(
      "BatchNorm's moving-average momentum m (moving = m·moving + (1-m)·batch; 0.9 is PyTorch's 0.1)",
    );

/** The `cnn` model's options. */
export const cnnOptions = z.strictObject({
  filters: z
    .array(z.number().int().positive())
    .min(1)
    .default([...CNN_DEFAULTS.filters])
    .describe('output channels of each conv-relu-pool block'),
  kernelSize: z
    .number()
    .int()
    .positive()
    .default(CNN_DEFAULTS.kernelSize)
    .describe('height and width of each convolution kernel'),
  pool: z
    .enum(['max', 'avg', 'none'])
    .default(CNN_DEFAULTS.pool)
    .describe('the 2x2, stride-2 pooling that ends each block'),
  batchNorm: z
    .boolean()
    .default(CNN_DEFAULTS.batchNorm)
    .describe('BatchNorm after each convolution (which then has no bias)'),
  batchNormMomentum: batchNormMomentum(CNN_DEFAULTS.batchNormMomentum),
  hiddenSizes: z
    .array(z.number().int().positive())
    .default([...CNN_DEFAULTS.hiddenSizes])
    .describe('units of the dense ReLU layers between the convolutions and the output'),
  dropout: z
    .number()
    .min(0)
    .lt(1)
    .default(CNN_DEFAULTS.dropout)
    .describe('dropout rate before each dense layer (unseeded: a run with it does not repeat exactly)'),
  init: weightInit(CNN_DEFAULTS.init),
});

/** The ResNet-18s' options; `nf` defaults to each one's width. */
const resnetOptions = (nf: number) =>
  z.strictObject({
    nf: z
      .number()
      .int()
      .positive()
      .default(nf)
      .describe('base width: stages of nf, 2nf, 4nf and 8nf channels'),
    batchNormMomentum: batchNormMomentum(RESNET_DEFAULTS.batchNormMomentum),
    batchNormEpsilon: z
      .number()
      .positive()
      .default(RESNET_DEFAULTS.batchNormEpsilon)
      .describe("BatchNorm's epsilon"),
    init: weightInit(RESNET_DEFAULTS.init),
  });
export const resnet18ReducedOptions = resnetOptions(20);
export const resnet18Options = resnetOptions(64);

/** The `layers` model's options. */
export const layersFileOptions = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe("a tfjs LayersModel's model.json (its weights files beside it), relative to the config file"),
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
  defineModel({
    name: 'cnn',
    description: 'convolutional network: conv-relu-pool blocks, dense layers, a linear output (images)',
    options: cnnOptions,
    build: (options, shape) => cnn({ ...options, ...shape }),
  }),
  defineModel({
    name: 'resnet18-reduced',
    description: "reduced ResNet-18 (nf 20) of GEM (Lopez-Paz & Ranzato 2017), A-GEM's too (images)",
    options: resnet18ReducedOptions,
    build: (options, shape) => resnet18Reduced({ ...options, ...shape }),
  }),
  defineModel({
    name: 'resnet18',
    description: 'ResNet-18 as Mammoth builds it for CIFAR: 3x3 stem, no max-pool, nf 64 (images)',
    options: resnet18Options,
    build: (options, shape) => resnet18({ ...options, ...shape }),
  }),
  defineModel<typeof layersFileOptions, LayersFile>({
    name: 'layers',
    description: "a tfjs-layers model read from its model.json (every copy starts from the file's weights)",
    options: layersFileOptions,
    prepare: (options, { baseDir }) => readLayersFile(options.path, baseDir),
    fixedOutputs: true,
    build: (options, shape, prepared) => buildLayersFileModel(options.path, shape, prepared),
  }),
] as ModelDefinition[]);
