/**
 * Experience Replay (Chaudhry et al. 2019, "On Tiny Episodic Memories in Continual Learning"), as
 * Mammoth's `models/er.py`: a reservoir buffer of past examples; every step trains on the new
 * mini-batch concatenated with `minibatchSize` examples drawn from the buffer, one cross-entropy
 * averaged over both parts; after the step the new mini-batch (not the replayed part) is offered to
 * the buffer. Nothing depends on experience boundaries, so ER trains on task-free streams.
 *
 * The replayed examples go through the same forward pass as the batch (`extraBatch`), so they are
 * answered with the current step's task id: a multi-head model would route them through the wrong
 * head, and ER refuses one (DER and ER-ACE, which run the model on replayed rows themselves, do not).
 * The replayed rows carry their task ids, so that on a single-head task-IL model the template
 * restricts each one to its own task's classes.
 */
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Plugin } from '../../training/plugin.js';
import { replayBufferOptions, replayMemory, type ReplayMemory } from './replay-memory.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';

/** ER's options (`er` in a config): its reservoir buffer's. */
export const erOptions = z.strictObject({ ...replayBufferOptions });

export type ErOptions = StrategyOptions & z.input<typeof erOptions>;

export interface ErPlugin extends Plugin {
  /** The replay buffer (created on the first step). */
  readonly memory: ReplayMemory;
}

export function erPlugin(options: ErOptions): ErPlugin {
  const { seed = 0 } = options;
  const memory = replayMemory({ ...methodOptions('er', erOptions, options), seed });
  return {
    name: 'er',
    taskFree: true,
    memoryBytes: () => memory.buffer?.memoryBytes() ?? 0,
    forgetExamples: (match) => memory.forget(match),
    memory,
    extraBatch(ctx) {
      if (ctx.model.multiHead) {
        throw new ConfigError(
          'model',
          'expected a single-head model (ER replays through the batch forward pass), got a multi-head one',
        );
      }
      const rows = memory.sample(ctx);
      // Tagged with their task ids, so that in task-IL each row is restricted to its own task's classes.
      return rows && { x: rows.x, y: rows.y, taskIds: rows.taskIds };
    },
    onStepEnd(ctx) {
      memory.add(ctx);
    },
    // The buffer keeps examples and labels: nothing in it depends on the model's outputs.
    onModelGrown() {},
    state: () => memory.state(),
    restore: (state) => memory.restore(state, 'checkpoint er'),
  };
}

/** ER as a strategy: `fit({ ...er({ bufferSize: 200 }), stream, model, ... })`. */
export function er(options: ErOptions): Strategy {
  return { name: 'er', plugins: [erPlugin(options), ...(options.plugins ?? [])] };
}

export const erDefinition = defineStrategy({
  name: 'er',
  family: 'replay',
  description: 'Experience Replay (Chaudhry et al. 2019): each batch joined by a reservoir sample',
  options: erOptions,
  taskFree: true,
  example: { bufferSize: 500 },
  create: er,
});
