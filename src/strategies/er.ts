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
 * For the same reason ER needs `activeOutputs: 'all'` on a task-IL stream: the template restricts
 * every row of the step to the current task's classes.
 */
import { ConfigError } from '../core/errors.js';
import type { Plugin } from './plugin.js';
import { replayMemory, type ReplayBufferOptions, type ReplayMemory } from './replay-buffer-option.js';
import type { Strategy, StrategyOptions } from './strategy.js';

export interface ErOptions extends StrategyOptions, ReplayBufferOptions {}

export interface ErPlugin extends Plugin {
  /** The replay buffer (created on the first step). */
  readonly memory: ReplayMemory;
}

export function erPlugin(options: ErOptions): ErPlugin {
  const memory = replayMemory(options);
  return {
    name: 'er',
    taskFree: true,
    memory,
    extraBatch(ctx) {
      if (ctx.model.multiHead) {
        throw new ConfigError(
          'model',
          'expected a single-head model (ER replays through the batch forward pass), got a multi-head one',
        );
      }
      const rows = memory.sample(ctx);
      if (rows && ctx.stream.scenario === 'task-il' && ctx.activeClasses) {
        // The template masks every row to the current task's classes: an old task's label would
        // sit at INACTIVE_LOGIT and its loss be ~1e9.
        throw new ConfigError(
          'activeOutputs',
          "expected 'all' for ER on a task-IL stream (replayed labels of other tasks would be masked), got 'seen'",
        );
      }
      return rows && { x: rows.x, y: rows.y };
    },
    onStepEnd(ctx) {
      memory.add(ctx);
    },
  };
}

/** ER as a strategy: `fit({ ...er({ bufferSize: 200 }), stream, model, ... })`. */
export function er(options: ErOptions): Strategy {
  return { name: 'er', plugins: [erPlugin(options), ...(options.plugins ?? [])] };
}
