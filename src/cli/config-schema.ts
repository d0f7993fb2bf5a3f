/**
 * The run configuration's shape: the sections every run has (zod, the source of their types and
 * defaults). What a named part takes is not written here but read from its registry, in config.ts:
 * a benchmark's own options (`benchmark.pad`), a model's (`model.hiddenSizes`) and each strategy's
 * (`strategies[1].bufferSize`) come from the schemas beside their code.
 */
import { z } from 'zod';
import { augmentOptions } from '../data/augment.js';
import { driftWatchConfig } from '../training/drift-watch.js';

const positiveInt = z.number().int().positive();

/** Epochs per experience when neither `training.epochs` nor `training.iterations` is given. */
export const DEFAULT_EPOCHS = 1;
const positiveNumber = z.number().positive();
const optimizerName = z.enum(['sgd', 'adam']);
const activeOutputs = z.enum(['seen', 'all', 'evaluation']);

/**
 * Training settings a strategies entry may set for its own run. A key a method declares among its
 * options is the method's instead (GDumb's `epochs`, `lr`, `batchSize`, `momentum` are those of
 * its retraining on its memory).
 */
export const trainingOverrides = z.strictObject({
  epochs: positiveInt.optional().describe('epochs per experience, for this strategy'),
  batchSize: positiveInt.optional().describe('mini-batch size, for this strategy'),
  activeOutputs: activeOutputs.optional().describe('training.activeOutputs, for this strategy'),
  optimizer: optimizerName.optional().describe('training.optimizer, for this strategy'),
  lr: positiveNumber.optional().describe('learning rate, for this strategy'),
  momentum: z.number().min(0).max(1).optional().describe('SGD momentum, for this strategy'),
});

/**
 * A strategy to run: a registered name (or several joined by `+`), its methods' options and
 * training overrides; config.ts checks the rest against the registry.
 */
export const strategyConfigSchema = z.looseObject({ name: z.string() });

/** The options every benchmark takes; a benchmark's own (`pad`, `classOrder`) come from its registry entry. */
export const benchmarkSection = z.looseObject({
  name: z.string().default('split-mnist'),
  /** One of the scenarios the benchmark runs as (its first is the default). */
  scenario: z.enum(['class-il', 'task-il', 'domain-il']).optional(),
  experiences: positiveInt.optional(),
  trainFraction: z.number().gt(0).max(1).default(1),
  /**
   * Deliver the stream online (task-free): batches of `batchSize` examples seen once, no
   * experience boundaries given to the strategy; `blurry` examples mixed across each boundary;
   * `drift` watches the prequential error with a drift detector (ADWIN unless it says otherwise;
   * `false`: none), its options checked against the detector's schema in config.ts.
   */
  online: z
    .strictObject({
      batchSize: positiveInt,
      blurry: z.number().int().min(0).default(0),
      drift: z.union([z.literal(false), driftWatchConfig]).optional(),
    })
    .optional(),
  /** Image augmentation of every training step's rows (data/augment.ts): `{ crop: { padding: 4 }, flip: true }`. */
  augment: augmentOptions.optional(),
});

export const runConfigSchema = z.strictObject({
  /** Names the run folder `<out>/<timestamp>-<name>`: one folder name, never a path. */
  name: z
    .string()
    .refine((name) => name.length > 0 && !/[/\\]/.test(name) && name !== '.' && name !== '..', {
      error: (issue) =>
        `expected one folder name (no / or \\, not . or ..), got ${JSON.stringify(issue.input)}`,
    })
    .default('run'),
  seed: z.number().int().min(0).default(0),
  backend: z.enum(['native', 'cpu', 'wasm']).optional(),
  benchmark: benchmarkSection.default({ name: 'split-mnist', trainFraction: 1 }),
  /** `type` names a registered model; its options come from the registry (models/registry.ts). */
  model: z.looseObject({ type: z.string().default('mlp') }).default({ type: 'mlp' }),
  training: z
    .strictObject({
      /** Epochs per experience (default 1 when `iterations` is not given). */
      epochs: positiveInt.optional(),
      /** Optimizer steps per experience, instead of epochs (give one of them). */
      iterations: positiveInt.optional(),
      /** A fresh optimizer per experience (default), or one for the whole run (false). */
      resetOptimizer: z.boolean().default(true),
      /**
       * Skip each pass's last, partial mini-batch (PyTorch's `drop_last=True`, as van de Ven &
       * Tolias's code). Default false.
       */
      dropLast: z.boolean().optional(),
      /**
       * `seen`: outputs restricted to the active classes (class-IL: seen so far; task-IL: the task's);
       * `all`: never; `evaluation`: every output trained, predictions restricted (Mammoth's protocol).
       */
      activeOutputs: activeOutputs.default('seen'),
      batchSize: positiveInt.default(128),
      optimizer: optimizerName.default('adam'),
      lr: positiveNumber.default(1e-3),
      momentum: z.number().min(0).max(1).default(0),
      /** Adam's epsilon (default 1e-7, tfjs's; PyTorch's is 1e-8). */
      epsilon: positiveNumber.optional(),
    })
    .default({
      epochs: 1,
      resetOptimizer: true,
      activeOutputs: 'seen',
      batchSize: 128,
      optimizer: 'adam',
      lr: 1e-3,
      momentum: 0,
    }),
  strategies: z
    .array(strategyConfigSchema)
    .min(1)
    .default([{ name: 'naive' }, { name: 'cumulative' }, { name: 'joint' }]),
  /** Folder under which the run folder `<timestamp>-<name>` is made. */
  out: z.string().min(1).default('runs'),
  /**
   * Checkpoints in `<run folder>/checkpoints/` (resume with `unforget run --resume <run folder>`):
   * one after each experience and, with `everySteps` > 0, every that many optimizer steps; the
   * newest `keep` files are kept.
   */
  checkpoint: z
    .strictObject({
      enabled: z.boolean().default(true),
      everySteps: z.number().int().min(0).default(0),
      keep: positiveInt.default(3),
    })
    .default({ enabled: true, everySteps: 0, keep: 3 }),
  /**
   * TensorBoard event files under `<run folder>/tensorboard/<strategy>/` (docs/tensorboard.md).
   * Default true; false writes none.
   */
  tensorboard: z.boolean().optional(),
});

export type TrainingOverrides = z.infer<typeof trainingOverrides>;
/** A strategies entry: its name, its methods' options and its training overrides. */
export type StrategyConfig = { readonly name: string } & TrainingOverrides &
  Readonly<Record<string, unknown>>;
export type RunConfig = Omit<z.infer<typeof runConfigSchema>, 'strategies' | 'benchmark' | 'model'> & {
  benchmark: z.infer<typeof benchmarkSection> & {
    /** Split benchmarks: the order classes are split in. */
    classOrder?: 'fixed' | 'shuffled' | number[];
    /** permuted-mnist: zero pixels added on every side before permuting. */
    pad?: number;
  };
  /** A registered model and its options, with their defaults filled in. */
  model: { type: string } & Readonly<Record<string, unknown>>;
  strategies: StrategyConfig[];
};
