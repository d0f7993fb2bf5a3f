/**
 * The run configuration: one zod schema that is the single source of truth for the config
 * file's shape, its TypeScript type, and the errors users see (field path + what was
 * expected + what was given).
 */
import { z } from 'zod';

const STRATEGY_NAMES = [
  'naive',
  'cumulative',
  'joint',
  'ewc',
  'online-ewc',
  'si',
  'mas',
  'lwf',
  'er',
  'der',
  'derpp',
  'er-ace',
  'agem',
  'gem',
  'gdumb',
  'importance-replay',
  'importance-replay-uniform',
  'importance-ewc',
  'importance-ewc-uniform',
  'importance-lwf',
  'importance-lwf-uniform',
  'icarl',
  'memory-augmented',
  'multi-task',
  'multi-task-replay',
];

const positiveInt = z.number().int().positive();
const positiveNumber = z.number().positive();
const optimizerName = z.enum(['sgd', 'adam']);

/** A strategy to run, with optional overrides of the `training` settings. */
export const strategyConfigSchema = z.strictObject({
  /** A registered strategy, or several joined by `+` (e.g. `ewc+lwf`), each taking the options it knows. */
  name: z.string().refine((name) => name.split('+').every((part) => STRATEGY_NAMES.includes(part)), {
    error: (issue) =>
      `expected one of ${STRATEGY_NAMES.join(', ')} (or several joined by +), got ${JSON.stringify(issue.input)}`,
  }),
  /** EWC / Online EWC / MAS strength (defaults: EWC 5000, MAS 1). */
  lambda: z.number().min(0).optional(),
  /** Online EWC's Fisher decay (default 1). */
  gamma: z.number().min(0).max(1).optional(),
  /** EWC's Fisher: the label it is taken at (default empirical) and the samples (default all). */
  fisherMode: z.enum(['empirical', 'expected', 'predicted']).optional(),
  fisherSamples: z.union([positiveInt, z.literal('all')]).optional(),
  /** SI strength and damping (defaults 0.1, 0.1). */
  c: z.number().min(0).optional(),
  xi: z.number().positive().optional(),
  /** MAS: decay of the old importances (default 1) and samples for the importance (default all). */
  decay: z.number().min(0).max(1).optional(),
  samples: positiveInt.optional(),
  /** LwF distillation weight, or one per experience (the last repeats), and temperature (defaults 1, 2; iCaRL's temperature 2). */
  alpha: z.union([z.number().min(0), z.array(z.number().min(0)).min(1)]).optional(),
  temperature: z.number().positive().optional(),
  /** Replay methods (ER, DER, DER++, ER-ACE, A-GEM, GEM, GDumb, memory-augmented): examples the memory keeps. */
  bufferSize: positiveInt.optional(),
  /** Replay methods: examples drawn from the memory per step (default: the batch size; A-GEM 128). */
  minibatchSize: positiveInt.optional(),
  /** DER++: weight of the cross-entropy on replayed labels (DER: 0; DER++ default 1). */
  beta: z.number().min(0).optional(),
  /** GEM: ridge added to the Gram matrix of past gradients (default 1e-3). */
  ridge: z.number().min(0).optional(),
  /** iCaRL: exemplars kept over all classes. */
  budget: positiveInt.optional(),
  /** iCaRL: herding selection (default true; false: random), nearest-mean-of-exemplars classifier (default true). */
  herding: z.boolean().optional(),
  nme: z.boolean().optional(),
  /**
   * LwF: distillation summed over the classes (default) or averaged over them (`mean`, van de Ven &
   * Tolias's code of their 2019 tables); iCaRL: its binary cross-entropy summed (van de Ven &
   * Tolias, default) or averaged (Mammoth) over the outputs.
   */
  classReduction: z.enum(['sum', 'mean']).optional(),
  /** iCaRL: class means also over horizontally flipped exemplars (Mammoth). Default false. */
  flipMeans: z.boolean().optional(),
  /** iCaRL: L2-normalised features for herding and class means (default true). */
  normalizeFeatures: z.boolean().optional(),
  /**
   * How each task's share is weighted, one field for two families (each method refuses the
   * other's values, naming the field):
   * - task importance (importance-replay, importance-ewc, importance-lwf; task-importance.ts):
   *   `importance` (default) weights each old task's replay share / penalty by its estimated
   *   importance, `uniform` by 1 (same data and budget; the `-uniform` names set it);
   * - multi-task / multi-task-replay: `equal` (default), `uncertainty`, `uncertainty-normalized`,
   *   `gradnorm` or `dwa`.
   */
  weighting: z
    .enum(['importance', 'uniform', 'equal', 'uncertainty', 'uncertainty-normalized', 'gradnorm', 'dwa'])
    .optional(),
  /**
   * Task importance: measured every `importanceEvery` steps (default 50) on `importanceHeldOut`
   * held-out rows per task (default 32), combined with softmax temperature
   * `importanceTemperature` (default 0.2) and smoothed by an EMA of factor `importanceSmoothing`
   * (default 0.5).
   */
  importanceEvery: positiveInt.optional(),
  importanceHeldOut: positiveInt.optional(),
  importanceTemperature: positiveNumber.optional(),
  importanceSmoothing: z.number().min(0).lt(1).optional(),
  /** Memory-augmented learner: neighbours read per query (k, default 10). */
  neighbours: positiveInt.optional(),
  /** Memory-augmented learner: temperature of the attention over cosine similarities (default 0.1). */
  readTemperature: positiveNumber.optional(),
  /** Memory-augmented learner: weight of the memory's read in the predicted mixture (default 0.5). */
  readWeight: z.number().min(0).max(1).optional(),
  /** Memory-augmented learner: replay stored rows with every batch (default true). */
  replay: z.boolean().optional(),
  /** Memory-augmented learner: weight of the loss through the read on the step's rows (default 0). */
  readLoss: z.number().min(0).optional(),
  /**
   * Memory-augmented learner: adapt the output layer on each test sample's neighbours (MbPA):
   * gradient steps (default 5), step size (default 0.1), pull to the trained weights (default 0.1).
   */
  localAdaptation: z
    .strictObject({
      steps: z.number().int().min(0).optional(),
      lr: positiveNumber.optional(),
      lambda: z.number().min(0).optional(),
    })
    .optional(),
  /** GDumb: the learning rate its cosine schedule falls to (default 5e-4). */
  minLr: positiveNumber.optional(),
  /**
   * multi-task / multi-task-replay (`weighting` above): the learning rate of uncertainty's and
   * GradNorm's weight steps (default 0.025); GradNorm's alpha (default 1.5); DWA's temperature
   * (default 2) and averaging period in steps (default: each epoch).
   */
  weightLr: positiveNumber.optional(),
  gradNormAlpha: z.number().min(0).optional(),
  dwaTemperature: positiveNumber.optional(),
  dwaWindow: positiveInt.optional(),
  /**
   * Per-strategy training overrides. GDumb never trains on the stream: its `epochs`, `lr`,
   * `batchSize` and `momentum` are those of its retraining on the memory.
   */
  epochs: positiveInt.optional(),
  batchSize: positiveInt.optional(),
  /** Overrides `training.activeOutputs` for this strategy. */
  activeOutputs: z.enum(['seen', 'all', 'evaluation']).optional(),
  optimizer: optimizerName.optional(),
  lr: positiveNumber.optional(),
  momentum: z.number().min(0).max(1).optional(),
});

export const runConfigSchema = z.strictObject({
  name: z.string().min(1).default('run'),
  seed: z.number().int().min(0).default(0),
  backend: z.enum(['native', 'cpu', 'wasm']).optional(),
  benchmark: z
    .strictObject({
      name: z.enum(['split-mnist', 'split-fashion-mnist', 'permuted-mnist', 'rotated-mnist']),
      /** Split benchmarks only: class-il (default), task-il or domain-il. */
      scenario: z.enum(['class-il', 'task-il', 'domain-il']).optional(),
      experiences: positiveInt.optional(),
      trainFraction: z.number().gt(0).max(1).default(1),
      classOrder: z.union([z.enum(['fixed', 'shuffled']), z.array(z.number().int().min(0))]).optional(),
      /**
       * permuted-mnist only: zero pixels added on every side of each image before permuting
       * (2: MNIST as 32x32, as van de Ven & Tolias's code). Default 0.
       */
      pad: z.number().int().min(0).optional(),
      /**
       * Deliver the stream online (task-free): batches of `batchSize` examples seen once, no
       * experience boundaries given to the strategy; `blurry` examples mixed across each boundary.
       */
      online: z
        .strictObject({
          batchSize: positiveInt,
          blurry: z.number().int().min(0).default(0),
        })
        .optional(),
    })
    .default({ name: 'split-mnist', trainFraction: 1 }),
  model: z
    .strictObject({
      /** `multi-head-mlp`: one output head per experience, picked by task id (task-IL, Naive). */
      type: z.enum(['mlp', 'multi-head-mlp']).default('mlp'),
      hiddenSizes: z.array(positiveInt).default([400, 400]),
      activation: z.enum(['relu', 'sigmoid', 'tanh']).default('relu'),
      /** `glorot` (Keras's default) or `fan-in-uniform` (+-1/sqrt(fan-in), PyTorch's nn.Linear default). */
      init: z.enum(['glorot', 'fan-in-uniform']).default('glorot'),
    })
    .default({ type: 'mlp', hiddenSizes: [400, 400], activation: 'relu', init: 'glorot' }),
  training: z
    .strictObject({
      epochs: positiveInt.default(1),
      /** Optimizer steps per experience; replaces `epochs` when given. */
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
      activeOutputs: z.enum(['seen', 'all', 'evaluation']).default('seen'),
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

export type RunConfig = z.infer<typeof runConfigSchema>;
export type StrategyConfig = z.infer<typeof strategyConfigSchema>;
