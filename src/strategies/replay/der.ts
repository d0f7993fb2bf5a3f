/**
 * Dark Experience Replay and DER++ (Buzzega et al. 2020), as Mammoth's `models/der.py` and
 * `models/derpp.py`. A reservoir buffer keeps each offered example with the logits the model gave
 * it at the step it arrived (before that step's update). Every step adds to the cross-entropy on
 * the new mini-batch
 * - `alpha * MSE(model(x'), z')` on `minibatchSize` buffered examples (x', z'): the model keeps its
 *   past responses, a distillation that needs no frozen model and no task boundaries;
 * - for DER++ (`beta > 0`), `beta * CE(model(x''), y'')` on a second, independently drawn sample:
 *   the stored logits may be those of an under-trained model, the labels are not.
 * The MSE is on raw logits (every unit, as stored); the replayed cross-entropy, like the batch's,
 * is over the active classes (active-classes.ts; in task-IL each replayed row's own task's classes).
 * Task-free: only step hooks are used. DER++ is in derpp.ts; both run on `darkReplayPlugin`.
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import { softmaxCrossEntropy } from '../../engine/losses.js';
import type { Plugin } from '../../training/plugin.js';
import {
  activeReplayLogits,
  replayBufferOptions,
  replayInputs,
  replayLabels,
  replayLogits,
  replayMemory,
  type ReplayMemory,
} from './replay-memory.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';

/** DER's options (`der` in a config): its reservoir buffer's and the logit-matching weight. */
export const derOptions = z.strictObject({
  ...replayBufferOptions,
  // The value Mammoth's `utils/best_args.py` picks most often over its benchmarks and buffer
  // sizes: 7 of 20 DER entries use alpha 0.5.
  alpha: z
    .number()
    .min(0)
    .default(0.5)
    .describe("weight of the logit-matching term alpha · MSE(model(x'), z') on replayed examples"),
});

export type DerOptions = StrategyOptions & z.input<typeof derOptions>;

/** DER's or DER++'s options once checked, defaults filled in: `beta` 0 is plain DER. */
export interface DarkReplaySettings extends z.output<typeof derOptions> {
  /** Weight of DER++'s replayed cross-entropy; 0: none (DER). */
  beta: number;
  /** Seeds which examples the reservoir keeps and which are replayed. */
  seed: number;
}

export interface DerPlugin extends Plugin {
  /** The replay buffer, which keeps logits (created on the first step). */
  readonly memory: ReplayMemory;
}

export function derPlugin(options: DerOptions): DerPlugin {
  const { seed = 0 } = options;
  return darkReplayPlugin({ ...methodOptions('der', derOptions, options), beta: 0, seed });
}

/** The DER plugin from checked settings, named `derpp` where `beta > 0` (DER++'s replayed cross-entropy). */
export function darkReplayPlugin(settings: DarkReplaySettings): DerPlugin {
  const { alpha, beta } = settings;
  const memory = replayMemory(settings, true);
  // The step's own logits before its update, copied out in lossTerms and stored in onStepEnd.
  let pending: Float32Array | null = null;
  const name = beta > 0 ? 'derpp' : 'der';
  return {
    name,
    memoryBytes: () => memory.buffer?.memoryBytes() ?? 0,
    forgetExamples: (match) => memory.forget(match),
    taskFree: true,
    memory,
    lossTerms(ctx) {
      const own = ctx.batch.y.length;
      // The batch comes first in the forward pass (other plugins' replayed rows follow it).
      pending = (ctx.unmaskedLogits.dataSync() as Float32Array).slice(0, own * ctx.model.numClasses);
      const terms: tf.Scalar[] = [];
      const dark = memory.sample(ctx);
      if (!dark) return terms;
      const outputs = replayLogits(ctx.model, replayInputs(ctx, dark), dark);
      const stored = tf.tensor2d(dark.logits!, outputs.shape);
      terms.push(tf.mul(tf.mean(tf.squaredDifference(outputs, stored)), alpha) as tf.Scalar);
      if (beta > 0) {
        const rows = memory.sample(ctx)!;
        const logits = activeReplayLogits(ctx, rows);
        terms.push(tf.mul(softmaxCrossEntropy(replayLabels(ctx.model, rows), logits), beta) as tf.Scalar);
      }
      return terms;
    },
    onStepEnd(ctx) {
      if (pending) memory.add(ctx, pending);
      pending = null;
    },
    onModelGrown: (growth) => memory.growLogits(growth.to),
    // `pending` lives within a step only (set in lossTerms, stored in onStepEnd): the buffer is all.
    state: () => memory.state(),
    restore: (state) => memory.restore(state, `checkpoint ${name}`),
  };
}

/** DER: `fit({ ...der({ bufferSize: 200 }), stream, model, ... })`. */
export function der(options: DerOptions): Strategy {
  return { name: 'der', plugins: [derPlugin(options), ...(options.plugins ?? [])] };
}

export const derDefinition = defineStrategy({
  name: 'der',
  family: 'replay',
  description: 'Dark Experience Replay (Buzzega et al. 2020): match the logits stored with replayed examples',
  options: derOptions,
  taskFree: true,
  example: { bufferSize: 500 },
  create: der,
});
