/**
 * ER with asymmetric cross-entropy (ER-ACE; Caccia et al. 2022, "New Insights on Reducing Abrupt
 * Representation Change in Online Continual Learning"), as Mammoth's `models/er_ace.py`. Plain ER
 * lets the first batches of a new class push every old class's logits down, wrecking the features
 * the old classes rely on. ER-ACE splits the loss:
 * - on the incoming batch, a cross-entropy whose softmax leaves out the classes seen before that
 *   are not in the batch (they get no gradient from new data); classes not seen yet stay in, as
 *   in Mammoth;
 * - on `minibatchSize` examples replayed from a reservoir buffer, the usual cross-entropy over all
 *   active classes (old and new classes compete there; in task-IL, each row's own task's classes);
 * added with weight 1 each. After the step the batch is offered to the buffer.
 *
 * Where we differ from Mammoth:
 * - Mammoth masks only from the second task on (`current_task > 0`, unless `task_free`); we mask
 *   whenever some class seen in an earlier step is absent from the batch (the mask is then not
 *   empty), which needs no task boundary. Replay starts once the buffer holds anything.
 * - Mammoth counts as "future" every label at or above the largest seen so far, which assumes
 *   classes arrive in label order; we use "not seen yet", right for any class order.
 * - Mammoth swaps the backbone's classifier for a cosine one by default; we keep the model as given.
 */
import { z } from 'zod';
import { softmaxCrossEntropy } from '../../engine/losses.js';
import { StateReader } from '../../core/state.js';
import type { Plugin } from '../../training/plugin.js';
import { maskLogits } from '../../training/active-classes.js';
import {
  activeReplayLogits,
  replayBufferOptions,
  replayLabels,
  replayMemory,
  type ReplayMemory,
} from './replay-memory.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';

/** ER-ACE's options (`er-ace` in a config): its reservoir buffer's. */
export const erAceOptions = z.strictObject({ ...replayBufferOptions });

export type ErAceOptions = StrategyOptions & z.input<typeof erAceOptions>;

export interface ErAcePlugin extends Plugin {
  /** The replay buffer (created on the first step). */
  readonly memory: ReplayMemory;
  /** Classes seen in earlier steps. */
  readonly seen: ReadonlySet<number>;
}

export function erAcePlugin(options: ErAceOptions): ErAcePlugin {
  const { seed = 0 } = options;
  const memory = replayMemory({ ...methodOptions('er-ace', erAceOptions, options), seed });
  const seen = new Set<number>();
  return {
    name: 'er-ace',
    memoryBytes: () => memory.buffer?.memoryBytes() ?? 0,
    forgetExamples: (match) => memory.forget(match),
    taskFree: true,
    memory,
    seen,
    baseLoss(ctx) {
      const present = new Set(ctx.batch.y);
      const kept = Array.from({ length: ctx.model.numClasses }, (_, c) => c).filter(
        (c) => present.has(c) || !seen.has(c),
      );
      // ctx.logits already masks the inactive units; this also masks old classes absent from the batch.
      return softmaxCrossEntropy(ctx.labels, maskLogits(ctx.logits, kept));
    },
    lossTerms(ctx) {
      const rows = memory.sample(ctx);
      if (!rows) return [];
      const logits = activeReplayLogits(ctx, rows);
      return [softmaxCrossEntropy(replayLabels(ctx.model, rows), logits)];
    },
    onStepEnd(ctx) {
      ctx.batch.y.forEach((c) => seen.add(c));
      memory.add(ctx);
    },
    // Examples, labels and the classes seen: nothing depends on the model's outputs.
    onModelGrown() {},
    state: () => ({ memory: memory.state(), seen: Int32Array.from(seen).sort() }),
    restore(state) {
      const r = new StateReader(state, 'checkpoint er-ace');
      memory.restore(r.raw('memory'), 'checkpoint er-ace.memory');
      seen.clear();
      r.ints('seen').forEach((c) => seen.add(c));
    },
  };
}

/** ER-ACE as a strategy: `fit({ ...erAce({ bufferSize: 200 }), stream, model, ... })`. */
export function erAce(options: ErAceOptions): Strategy {
  return { name: 'er-ace', plugins: [erAcePlugin(options), ...(options.plugins ?? [])] };
}

export const erAceDefinition = defineStrategy({
  name: 'er-ace',
  family: 'replay',
  description: 'ER-ACE (Caccia et al. 2022): ER with an asymmetric cross-entropy',
  options: erAceOptions,
  taskFree: true,
  example: { bufferSize: 500 },
  create: erAce,
});
