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
 * Task-free: only step hooks are used.
 *
 * Defaults (alpha 0.5; DER++ alpha 0.5, beta 1.0) are the values Mammoth's `utils/best_args.py`
 * picks most often over its benchmarks and buffer sizes: 7 of 20 DER entries use alpha 0.5, and
 * (0.5, 1.0) is DER++'s most frequent pair (tied with (0.1, 0.5)).
 */
import * as tf from '../../engine/tf.js';
import { ConfigError } from '../../core/errors.js';
import { softmaxCrossEntropy } from '../../engine/losses.js';
import type { Plugin } from '../../training/plugin.js';
import {
  activeReplayLogits,
  replayInputs,
  replayLabels,
  replayLogits,
  replayMemory,
  type ReplayBufferOptions,
  type ReplayMemory,
} from './replay-memory.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';

export interface DerOptions extends StrategyOptions, ReplayBufferOptions {
  /** Weight of the logit-matching (MSE) term. Default 0.5. */
  alpha?: number;
  /** Weight of the replayed cross-entropy (DER++); 0 is plain DER. Default 0 (`der`), 1 (`derpp`). */
  beta?: number;
}

export interface DerPlugin extends Plugin {
  /** The replay buffer, which keeps logits (created on the first step). */
  readonly memory: ReplayMemory;
}

export function derPlugin(options: DerOptions): DerPlugin {
  const { alpha = 0.5, beta = 0 } = options;
  for (const [field, value] of [
    ['alpha', alpha],
    ['beta', beta],
  ] as const) {
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new ConfigError(field, `expected a finite number >= 0, got ${String(value)}`);
    }
  }
  const memory = replayMemory(options, true);
  // The step's own logits before its update, copied out in lossTerms and stored in onStepEnd.
  let pending: Float32Array | null = null;
  const name = beta > 0 ? 'derpp' : 'der';
  return {
    name,
    memoryBytes: () => memory.buffer?.memoryBytes() ?? 0,
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
    // `pending` lives within a step only (set in lossTerms, stored in onStepEnd): the buffer is all.
    state: () => memory.state(),
    restore: (state) => memory.restore(state, `checkpoint ${name}`),
  };
}

/** DER: `fit({ ...der({ bufferSize: 200 }), stream, model, ... })`. */
export function der(options: DerOptions): Strategy {
  return {
    name: 'der',
    plugins: [derPlugin({ ...options, beta: options.beta ?? 0 }), ...(options.plugins ?? [])],
  };
}

/** DER++: DER plus a replayed cross-entropy, `beta` default 1. */
export function derpp(options: DerOptions): Strategy {
  return {
    name: 'derpp',
    plugins: [derPlugin({ ...options, beta: options.beta ?? 1 }), ...(options.plugins ?? [])],
  };
}
