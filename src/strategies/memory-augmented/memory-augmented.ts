/**
 * A memory-augmented continual learner: a network and an episodic key-value memory
 * (key-value-memory.ts) whose keys are the network's embeddings (`model.features`) and whose
 * values are labels, after Sprechmann et al. 2018 (MbPA, ICLR) and de Masson d'Autume et al.
 * 2019 (NeurIPS).
 * - Writing: every new mini-batch is offered to the memory after its step, with its key under the
 *   updated network; reservoir sampling keeps `bufferSize` examples (ER's choice, so the two
 *   store the same examples for the same seed).
 * - Keys: the embedding drifts as the network trains, so every key is recomputed from its stored
 *   input at each experience end and before each evaluation (the drift is reported as the
 *   `keyCosine` metric: mean cosine between a key before and after the refresh). Within an
 *   experience the training read uses the keys as written.
 * - Replay (`replay`, default on): `minibatchSize` stored rows join every step's batch, as ER.
 *   d'Autume et al. replay sparsely (1% as many stored examples as new ones); without replay the
 *   network forgets as Naive does, and on Split-MNIST class-IL the read in its drifted embedding
 *   recovers only part of it (docs/results.md). Sparse replay is not an option here.
 * - Prediction (`evaluationScores`): the log of a mixture of the network's softmax and the read,
 *   `log((1 - w) softmax(logits) + w read)`, the read attending over the k nearest keys with
 *   softmax(cos / tau). With `localAdaptation` the logits are those of an output layer adapted on
 *   the neighbours for each test sample (local-adaptation.ts).
 * - `readLoss` > 0 also trains through the read: the negative log of the mixture's probability of
 *   the label on the step's own rows, whose gradient reaches the network through the queries.
 * Task-free: nothing depends on experience boundaries that a refresh before evaluation does not cover.
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import { ConfigError } from '../../core/errors.js';
import { createRng } from '../../core/random.js';
import { StateReader } from '../../core/state.js';
import { KeyValueMemory, readMemory } from '../../memory/key-value-memory.js';
import type { Classifier } from '../../models/classifier.js';
import {
  localAdaptationOptions,
  locallyAdaptedLogits,
  neighbourhood,
  outputLayer,
} from './local-adaptation.js';
import type { Plugin } from '../../training/plugin.js';
import { replayBufferOptions } from '../replay/replay-memory.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';

/** The memory-augmented learner's options (`memory-augmented` in a config). */
export const memoryAugmentedOptions = z.strictObject({
  ...replayBufferOptions,
  neighbours: z.number().int().positive().default(10).describe('neighbours read per query (k)'),
  readTemperature: z
    .number()
    .positive()
    .default(0.1)
    .describe('temperature tau of the attention softmax(cos / tau) over the neighbours'),
  readWeight: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('weight w of the read in the predicted mixture (1 − w) softmax(logits) + w read'),
  replay: z.boolean().default(true).describe("replay minibatchSize stored rows with every step's batch"),
  readLoss: z
    .number()
    .min(0)
    .default(0)
    .describe("weight of the mixture's negative log-likelihood on the step's own rows (0: trains as ER)"),
  localAdaptation: localAdaptationOptions
    .optional()
    .describe("adapt the output layer on each test sample's neighbours (MbPA; absent: no adaptation)"),
});

export type MemoryAugmentedOptions = StrategyOptions & z.input<typeof memoryAugmentedOptions>;

export interface MemoryAugmentedPlugin extends Plugin {
  /** The memory (null before the first step). */
  readonly memory: KeyValueMemory | null;
}

// Keeps log() finite where both the softmax and the read give a class nothing.
const EPSILON = 1e-10;

export function memoryAugmentedPlugin(options: MemoryAugmentedOptions): MemoryAugmentedPlugin {
  const {
    bufferSize,
    minibatchSize,
    neighbours: k,
    readTemperature: tau,
    readWeight: w,
    replay,
    readLoss,
    localAdaptation: adaptation,
  } = methodOptions('memory-augmented', memoryAugmentedOptions, options);
  const { seed = 0 } = options;
  const rng = createRng(seed);
  // As replay/replay-memory.ts: how many rows are replayed never shifts which ones are kept.
  const keepRng = rng.fork();
  let sampleRng = rng.fork();
  let memory: KeyValueMemory | null = null;
  let keyCosine = NaN;

  const embedRows = (model: Classifier, sampleShape: readonly number[]) => (x: Float32Array, rows: number) =>
    tf.tidy(() => features(model)(tf.tensor(x, [rows, ...sampleShape])).dataSync() as Float32Array);
  const refresh = (model: Classifier, sampleShape: readonly number[]) => {
    if (memory?.size) keyCosine = memory.refreshKeys(embedRows(model, sampleShape));
  };
  const read = (queries: tf.Tensor2D, numClasses: number) => {
    const keys = tf.tensor2d(memory!.keys, [memory!.size, memory!.keySize]);
    const values = tf.tensor1d(memory!.labels, 'int32');
    return readMemory(queries, keys, values, { k, tau, numClasses });
  };
  const mixture = (logits: tf.Tensor2D, memoryRead: tf.Tensor2D) =>
    tf.log(tf.add(tf.add(tf.mul(tf.softmax(logits), 1 - w), tf.mul(memoryRead, w)), EPSILON)) as tf.Tensor2D;
  let sampleShape: readonly number[] = [];

  return {
    name: 'memory-augmented',
    taskFree: true,
    get memory() {
      return memory;
    },
    memoryBytes: () => memory?.memoryBytes() ?? 0,
    forgetExamples: (match) => memory?.forget(match) ?? 0,
    extraBatch(ctx) {
      if (!replay || !memory?.size) return null;
      if (ctx.model.multiHead) {
        throw new ConfigError('model', 'expected a single-head model (replayed rows share the batch pass)');
      }
      const rows = memory.sample(minibatchSize ?? ctx.batch.y.length, sampleRng);
      return { x: rows.x, y: rows.y, taskIds: rows.taskIds };
    },
    lossTerms(ctx) {
      if (!(readLoss > 0) || !memory?.size) return [];
      // The step's own rows come first in the joined batch.
      const own = ctx.batch.y.length;
      const x = tf.slice(ctx.x, 0, own);
      const { read: memoryRead } = read(features(ctx.model)(x), ctx.model.numClasses);
      const logProbabilities = mixture(tf.slice(ctx.logits, 0, own), memoryRead);
      const nll = tf.neg(tf.mean(tf.sum(tf.mul(tf.slice(ctx.labels, 0, own), logProbabilities), 1)));
      return [tf.mul(nll, readLoss) as tf.Scalar];
    },
    onStepEnd(ctx) {
      sampleShape = ctx.trainingSet.sampleShape;
      const embed = embedRows(ctx.model, sampleShape);
      const keys = embed(ctx.batch.x, ctx.batch.y.length);
      const size = sampleShape.reduce((a, b) => a * b, 1);
      memory ??= new KeyValueMemory(
        { capacity: bufferSize, sampleSize: size, keySize: keys.length / ctx.batch.y.length },
        keepRng,
      );
      memory.add({ x: ctx.batch.x, y: ctx.batch.y, taskIds: ctx.experience.taskId }, keys);
    },
    onExperienceEnd: (ctx) => refresh(ctx.model, ctx.trainingSet.sampleShape),
    beforeEvaluation: (ctx) => refresh(ctx.model, sampleShape),
    metrics: () => (memory?.size ? { storedExamples: memory.size, keyCosine } : null),
    // The memory with its keys as last refreshed (the network has moved since), both generators,
    // the last refresh's drift and the sample shape the refresh before an evaluation embeds with.
    state: () => ({
      memory: memory && memory.state(),
      sampleRng: sampleRng.state(),
      keyCosine,
      sampleShape: Int32Array.from(sampleShape),
    }),
    restore(state) {
      const where = 'checkpoint memory-augmented';
      const r = new StateReader(state, where);
      sampleRng = createRng(r.integer('sampleRng'));
      keyCosine = r.number('keyCosine');
      sampleShape = Array.from(r.ints('sampleShape'));
      if (!r.has('memory')) return;
      const saved = r.reader('memory');
      const rows = saved.reader('rows');
      const shape = {
        capacity: bufferSize,
        sampleSize: rows.integer('sampleSize'),
        keySize: saved.integer('keySize'),
      };
      memory = new KeyValueMemory(shape, keepRng);
      memory.restore(r.raw('memory'), `${where}.memory`);
    },
    evaluationScores(x, taskId, model) {
      if (!memory?.size) return null;
      const queries = features(model)(x, taskId);
      const memoryRead = read(queries, model.numClasses);
      const logits = adaptation
        ? locallyAdaptedLogits(
            { queries, ...neighbourhood(memory, memoryRead, model.numClasses), ...outputLayer(model) },
            adaptation,
          )
        : model.logits(x, taskId);
      return mixture(logits, memoryRead.read);
    },
  };
}

function features(model: Classifier): NonNullable<Classifier['features']> {
  if (!model.features)
    throw new ConfigError('model', 'expected a model with features(x), for its memory keys');
  return model.features;
}

/** The memory-augmented learner: `fit({ ...memoryAugmented({ bufferSize: 500 }), stream, model, ... })`. */
export function memoryAugmented(options: MemoryAugmentedOptions): Strategy {
  return { name: 'memory-augmented', plugins: [memoryAugmentedPlugin(options), ...(options.plugins ?? [])] };
}

export const memoryAugmentedDefinition = defineStrategy({
  name: 'memory-augmented',
  family: 'memory-augmented',
  description:
    "memory-augmented learner (Sprechmann et al. 2018; de Masson d'Autume et al. 2019): an episodic key-value memory read by attention, mixed with the logits",
  options: memoryAugmentedOptions,
  taskFree: true,
  example: { bufferSize: 500 },
  create: memoryAugmented,
});
