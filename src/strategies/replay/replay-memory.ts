/**
 * What the reservoir-replay methods (ER, DER, DER++, ER-ACE) share: their buffer options, a
 * reservoir buffer created on the first step (its row size comes from the stream's sample shape,
 * which the options do not know), and the model's logits on replayed rows, each row through the
 * head of the task it was stored with.
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import { DataFormatError } from '../../core/errors.js';
import { createRng } from '../../core/random.js';
import { StateReader, type StateValue } from '../../core/state.js';
import { bufferStateValue, restoreBuffer, type BufferBatch } from '../../memory/buffer.js';
import { ReservoirBuffer } from '../../memory/reservoir.js';
import type { ExampleMatch } from '../../memory/forget.js';
import type { Classifier } from '../../models/classifier.js';
import { logitsByTask } from '../../models/logits-by-task.js';
import type { LossContext, StepContext } from '../../training/plugin.js';
import { INACTIVE_LOGIT, maskLogits } from '../../training/active-classes.js';

/** The options of a reservoir replay buffer, as the methods that keep one declare them. */
export const replayBufferOptions = {
  bufferSize: z.number().int().positive().describe("examples the buffer keeps (Mammoth's buffer_size)"),
  minibatchSize: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("replayed examples per step (Mammoth's minibatch_size; default: the batch size)"),
};

export interface ReplayBufferOptions {
  /** Examples the buffer keeps (Mammoth's `buffer_size`). Required. */
  bufferSize: number;
  /** Replayed examples per step (Mammoth's `minibatch_size`). Default: the step's batch size. */
  minibatchSize?: number;
  /** Seeds which examples the reservoir keeps and which are replayed. Default 0. */
  seed?: number;
}

/** A reservoir buffer made on first use, with its own seeded sampling. */
export interface ReplayMemory {
  /** The buffer, or `null` before the first example was offered. */
  readonly buffer: ReservoirBuffer | null;
  /** Replayed rows for this step (`minibatchSize` of them, fewer while the buffer is smaller); `null` when empty. */
  sample(ctx: StepContext): BufferBatch | null;
  /** Offers the step's own batch (never replayed rows) with the experience's task id, and its logits if kept. */
  add(ctx: StepContext, logits?: Float32Array): void;
  /** The buffer (its rows and keeping generator; null before it exists) and the replay generator's state. */
  state(): StateValue;
  /** Puts a `state()` back, making the buffer when it had been made; `where` names it in errors. */
  restore(state: StateValue, where: string): void;
  /**
   * The model grew to `numClasses` outputs (models/growth.ts): stored logits get 0 for the new
   * classes (DER then keeps an old example's logits of classes it never saw near 0). No-op
   * without logits.
   */
  growLogits(numClasses: number): void;
  /** Removes the stored rows whose input `match` accepts; how many (0 before the buffer exists). */
  forget(match: ExampleMatch): number;
}

/** The memory that checked options describe (the methods check them against their schemas). */
export function replayMemory(options: ReplayBufferOptions, keepLogits = false): ReplayMemory {
  const { bufferSize, minibatchSize, seed = 0 } = options;
  const rng = createRng(seed);
  // Separate streams: how many rows are replayed never shifts which ones the reservoir keeps.
  const keepRng = rng.fork();
  let sampleRng = rng.fork();
  let buffer: ReservoirBuffer | null = null;
  return {
    get buffer() {
      return buffer;
    },
    sample(ctx) {
      if (!buffer?.size) return null;
      return buffer.sample(minibatchSize ?? ctx.batch.y.length, sampleRng);
    },
    add(ctx, logits) {
      const sampleSize = ctx.trainingSet.sampleShape.reduce((a, b) => a * b, 1);
      const logitsSize = keepLogits ? ctx.model.numClasses : 0;
      buffer ??= new ReservoirBuffer({ capacity: bufferSize, sampleSize, logitsSize }, keepRng);
      buffer.add({ x: ctx.batch.x, y: ctx.batch.y, taskIds: ctx.experience.taskId, logits });
    },
    state: () => ({ sampleRng: sampleRng.state(), buffer: buffer && bufferStateValue(buffer.state()) }),
    restore(state, where) {
      const r = new StateReader(state, where);
      sampleRng = createRng(r.integer('sampleRng'));
      // No buffer yet: the keeping generator has not drawn, so the fresh one is already where it was.
      if (!r.has('buffer')) return;
      const saved = r.reader('buffer');
      const logitsSize = saved.integer('logitsSize');
      if (keepLogits !== logitsSize > 0) {
        const expected = keepLogits ? 'logits (DER)' : 'no logits';
        throw new DataFormatError(`${where}.buffer`, `logitsSize: expected ${expected}, got ${logitsSize}`);
      }
      const shape = { capacity: bufferSize, sampleSize: saved.integer('sampleSize'), logitsSize };
      buffer = new ReservoirBuffer(shape, keepRng);
      restoreBuffer(buffer, r.raw('buffer'), `${where}.buffer`);
    },
    forget: (match) => buffer?.forget(match) ?? 0,
    growLogits(numClasses) {
      if (!keepLogits || !buffer) return;
      const state = buffer.state();
      const from = state.logitsSize;
      if (from >= numClasses) return;
      const logits = new Float32Array(state.size * numClasses);
      for (let row = 0; row < state.size; row++) {
        logits.set(state.logits.subarray(row * from, (row + 1) * from), row * numClasses);
      }
      // The same rows and keeping generator, in a buffer whose rows have room for the new logits.
      const grown = new ReservoirBuffer(
        { capacity: state.capacity, sampleSize: state.sampleSize, logitsSize: numClasses },
        keepRng,
      );
      grown.restore({ ...state, logitsSize: numClasses, logits });
      buffer = grown;
    },
  };
}

/** Replayed rows as an input tensor of the stream's sample shape. */
export function replayInputs(ctx: StepContext, rows: BufferBatch): tf.Tensor {
  // Augmented as the step's own rows are (Mammoth augments buffer samples when it replays them).
  const x = ctx.augment ? ctx.augment(rows.x, rows.y.length) : rows.x;
  return tf.tensor(x, [rows.y.length, ...ctx.trainingSet.sampleShape]);
}

/**
 * The model's logits on replayed rows, in their order. A single-head model takes them in one
 * pass; a multi-head one per stored task id, so each row is answered by its own task's head.
 */
export function replayLogits(model: Classifier, x: tf.Tensor, rows: BufferBatch): tf.Tensor2D {
  // Inside a training step, as the batch's own forward pass (Mammoth replays in train mode).
  return logitsByTask(model, x, rows.taskIds, true);
}

/**
 * The model's logits on replayed rows, restricted to the outputs each row may use: in task-IL the
 * classes of the task it was stored with (the current task's would mask out its own label), else
 * the step's active classes (in class-IL the classes seen so far, which include every stored label).
 */
export function activeReplayLogits(ctx: LossContext, rows: BufferBatch): tf.Tensor2D {
  const logits = replayLogits(ctx.model, replayInputs(ctx, rows), rows);
  if (ctx.stream.scenario !== 'task-il' || !ctx.activeClasses) return maskLogits(logits, ctx.activeClasses);
  const numClasses = ctx.model.numClasses;
  const offsets = new Float32Array(rows.y.length * numClasses).fill(INACTIVE_LOGIT);
  rows.taskIds.forEach((t, r) => {
    const classes = ctx.stream.experiences.find((e) => e.taskId === t)?.classes ?? [rows.y[r]];
    for (const c of classes) offsets[r * numClasses + c] = 0;
  });
  return tf.add(logits, tf.tensor2d(offsets, [rows.y.length, numClasses]));
}

/** One-hot labels of replayed rows. */
export function replayLabels(model: Classifier, rows: BufferBatch): tf.Tensor2D {
  return tf.oneHot(tf.tensor1d(rows.y, 'int32'), model.numClasses) as tf.Tensor2D;
}
