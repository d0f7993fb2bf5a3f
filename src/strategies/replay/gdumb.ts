/**
 * GDumb (Prabhu, Torr & Dokania 2020): a greedy sampler and a dumb learner. The stream is only
 * watched: every example is offered to a class-balanced memory (class-balanced.ts) and nothing
 * is learnt from it directly. Whenever the model is about to be evaluated, it is reset to its
 * initial weights and trained from scratch on the memory alone, so nothing it knew before the
 * retraining is used and there is nothing to forget. It needs no task boundaries (online streams).
 *
 * The retraining follows Mammoth's `fit_buffer` (models/gdumb.py): SGD with momentum, one epoch
 * of warm-up at a tenth of `lr`, then `lr` annealed by a cosine with warm restarts (SGDR, cycles
 * of 1, 2, 4, ... epochs, down to `minLr`), stepped per epoch; each epoch is one pass over the
 * whole memory in a fresh random order. Where we differ:
 * - Mammoth retrains only after the last task, so its intermediate accuracies come from an
 *   untrained network; we retrain before every evaluation, as the paper's GDumb does whenever it
 *   is asked to predict, so every row of the accuracy matrix is GDumb's.
 * - No CutMix: it mixes image patches for the paper's CNNs on CIFAR and ImageNet; our models are
 *   MLPs on MNIST-sized inputs. No weight decay (Mammoth's best value is 1e-6, a no-op here).
 * - Class-IL with outputs restricted to the seen classes: the logits are masked to the classes
 *   in memory (as the paper masks to the classes seen); with `activeOutputs: 'all'` (Mammoth's
 *   setting) and in the other scenarios every output is trained, as in Mammoth.
 * The initial weights come from `copyModel`, built once: given the run's architecture and seed it
 * is the run's own initialisation, and every retraining starts from the same point, so the result
 * depends on the memory alone.
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import { ConfigError } from '../../core/errors.js';
import { createRng } from '../../core/random.js';
import { sgd } from '../../engine/optimizers/index.js';
import { softmaxCrossEntropy } from '../../engine/losses.js';
import { copyWeights, modelWeights, type Classifier } from '../../models/classifier.js';
import { StateReader } from '../../core/state.js';
import { bufferStateValue, restoreBuffer } from '../../memory/buffer.js';
import { ClassBalancedBuffer } from '../../memory/class-balanced.js';
import { restoreVariables, variablesState } from '../../engine/tensor-state.js';
import { maskLogits } from '../../training/active-classes.js';
import type { EvaluationContext, Plugin } from '../../training/plugin.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions, requireCopyModel } from '../definition.js';

/** GDumb's options (`gdumb` in a config): its memory's size and its retraining's settings. */
export const gdumbOptions = z.strictObject({
  bufferSize: z.number().int().positive().describe('examples the class-balanced memory holds'),
  // Mammoth's `fitting_epochs`.
  epochs: z.number().int().positive().default(256).describe('passes over the memory per retraining'),
  // Mammoth's `maxlr`.
  lr: z.number().positive().default(0.05).describe("peak learning rate of the retraining's schedule"),
  // Mammoth's `minlr`; at most `lr` (checked with it).
  minLr: z
    .number()
    .min(0)
    .default(5e-4)
    .describe('learning rate at the end of each cosine cycle, at most lr'),
  batchSize: z.number().int().positive().default(32).describe('memory examples per retraining step'),
  // Mammoth's best Seq-CIFAR-100 setting for 500 examples; its parser's default is 0.
  momentum: z.number().min(0).lt(1).default(0.9).describe("the retraining's SGD momentum"),
});

/** `seed` (default 0) fixes which examples the memory keeps and the retraining's batch order. */
export interface GdumbOptions extends StrategyOptions, z.input<typeof gdumbOptions> {
  /** Makes a fresh model of the trained model's architecture: the weights every retraining starts from. */
  copyModel: () => Classifier;
}

export interface GdumbPlugin extends Plugin {
  /** The memory (created at the first batch, when the sample shape is known). */
  readonly memory: ClassBalancedBuffer | null;
  dispose(): void;
}

/** Mammoth's per-epoch learning rate: warm-up at lr / 10, then SGDR with cycles of 1, 2, 4, ... epochs. */
export function gdumbLearningRate(epoch: number, lr: number, minLr: number): number {
  if (epoch === 0) return lr / 10;
  let t = epoch - 1;
  let cycle = 1;
  while (t >= cycle) {
    t -= cycle;
    cycle *= 2;
  }
  return minLr + ((lr - minLr) * (1 + Math.cos((Math.PI * t) / cycle))) / 2;
}

export function gdumbPlugin(options: GdumbOptions): GdumbPlugin {
  const { seed = 0 } = options;
  const { bufferSize, epochs, lr, minLr, batchSize, momentum } = methodOptions(
    'gdumb',
    gdumbOptions,
    options,
  );
  const copyModel = requireCopyModel('gdumb', options);
  if (minLr > lr) throw new ConfigError('minLr', `expected a number in [0, lr = ${lr}], got ${minLr}`);
  let rng = createRng(seed);
  const bufferRng = rng.fork();
  let memory: ClassBalancedBuffer | null = null;
  let initial: Classifier | null = null;

  const retrain = (ctx: EvaluationContext) => {
    if (!memory?.size) return;
    const model = ctx.model;
    initial ??= copyModel();
    // Every retraining starts from the same fresh weights (and fresh BatchNorm statistics).
    copyWeights(initial, model);
    const { x, y, taskIds } = memory.all();
    const size = x.length / y.length;
    const active = ctx.activeClasses && [...new Set(y)].sort((a, b) => a - b);
    const optimizer = sgd({ learningRate: lr / 10, momentum });
    for (let epoch = 0; epoch < epochs; epoch++) {
      optimizer.setLearningRate(gdumbLearningRate(epoch, lr, minLr));
      const order = rng.permutation(y.length);
      for (const batch of rng.shuffle(batches(order, model.multiHead ? taskIds : null, batchSize))) {
        tf.tidy(() => {
          const rows = new Float32Array(batch.length * size);
          batch.forEach((i, r) => rows.set(x.subarray(i * size, (i + 1) * size), r * size));
          const xs = tf.tensor(rows, [batch.length, ...ctx.stream.sampleShape]);
          const ys = tf.tensor1d(
            Int32Array.from(batch, (i) => y[i]),
            'int32',
          );
          const labels = tf.oneHot(ys, model.numClasses);
          const taskId = model.multiHead ? taskIds[batch[0]] : undefined;
          const { grads } = tf.variableGrads(
            () => softmaxCrossEntropy(labels, maskLogits(model.logits(xs, taskId, true), active)),
            [...model.variables],
          );
          optimizer.applyGradients(grads);
        });
      }
    }
    optimizer.dispose();
  };

  return {
    name: 'gdumb',
    memoryBytes: () => memory?.memoryBytes() ?? 0,
    forgetExamples: (match) => memory?.forget(match) ?? 0,
    observeOnly: true,
    taskFree: true,
    get memory() {
      return memory;
    },
    onStepEnd(ctx) {
      const sampleSize = ctx.stream.sampleShape.reduce((a, b) => a * b, 1);
      memory ??= new ClassBalancedBuffer({ capacity: bufferSize, sampleSize }, bufferRng);
      memory.add({ ...ctx.batch, taskIds: ctx.experience.taskId });
    },
    beforeEvaluation: retrain,
    // The retraining's generator, the memory (with its own), and the weights every retraining
    // starts from: saved rather than made again, in case `copyModel` does not repeat itself.
    state: () => ({
      rng: rng.state(),
      memory: memory && bufferStateValue(memory.state()),
      initial: initial && variablesState(modelWeights(initial)),
    }),
    restore(state) {
      const r = new StateReader(state, 'checkpoint gdumb');
      rng = createRng(r.integer('rng'));
      if (r.has('memory')) {
        const sampleSize = r.reader('memory').integer('sampleSize');
        memory = new ClassBalancedBuffer({ capacity: bufferSize, sampleSize }, bufferRng);
        restoreBuffer(memory, r.raw('memory'), 'checkpoint gdumb.memory');
      }
      if (r.has('initial')) {
        initial ??= copyModel();
        restoreVariables(modelWeights(initial), r.raw('initial'), 'checkpoint gdumb.initial');
      }
    },
    dispose() {
      initial?.dispose();
      initial = null;
    },
  };
}

/**
 * `order` cut into batches of at most `batchSize`; with `taskIds` (a multi-head model, one head
 * per step) each batch holds a single task's examples (the caller shuffles the batches).
 */
function batches(order: Int32Array, taskIds: Int32Array | null, batchSize: number): number[][] {
  const groups = new Map<number, number[]>();
  for (const i of order) {
    const key = taskIds ? taskIds[i] : 0;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  return [...groups.values()].flatMap((g) =>
    Array.from({ length: Math.ceil(g.length / batchSize) }, (_, b) =>
      g.slice(b * batchSize, (b + 1) * batchSize),
    ),
  );
}

/** GDumb as a strategy: `fit({ ...gdumb({ bufferSize: 200, copyModel: () => mlp(opts) }), stream, model: mlp(opts), ... })`. */
export function gdumb(options: GdumbOptions): Strategy {
  return { name: 'gdumb', plugins: [gdumbPlugin(options), ...(options.plugins ?? [])] };
}

export const gdumbDefinition = defineStrategy({
  name: 'gdumb',
  family: 'replay',
  description:
    'GDumb (Prabhu et al. 2020): greedy class-balanced memory, retrained from scratch before each evaluation',
  options: gdumbOptions,
  taskFree: true,
  example: { bufferSize: 500 },
  create: (options) => gdumb({ ...options, copyModel: requireCopyModel('gdumb', options) }),
});
