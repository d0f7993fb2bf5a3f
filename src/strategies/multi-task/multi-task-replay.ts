/**
 * The continual multi-task learner: each step is the current batch plus `minibatchSize` rows
 * rehearsed from a reservoir buffer (as ER), each tagged with the task it was stored with, and
 * the multi-task loss (multi-task.ts) over all of them; after the step the new batch is offered
 * to the buffer.
 */
import { z } from 'zod';
import type { Plugin } from '../../training/plugin.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { replayBufferOptions, replayMemory } from '../replay/replay-memory.js';
import { defineStrategy, methodOptions } from '../definition.js';
import { multiTaskPlugin } from './multi-task.js';
import { weightingOptions } from './task-weighting/index.js';

/** Multi-task replay's options (`multi-task-replay` in a config): its buffer's and its task weighting's. */
export const multiTaskReplayOptions = z.strictObject({ ...replayBufferOptions, ...weightingOptions });

export type MultiTaskReplayOptions = StrategyOptions & z.input<typeof multiTaskReplayOptions>;

/** Multi-task replay: `fit({ ...multiTaskReplay({ bufferSize: 500 }), stream, model, ... })`. */
export function multiTaskReplay(options: MultiTaskReplayOptions): Strategy {
  const { bufferSize, minibatchSize, ...weighting } = methodOptions(
    'multi-task-replay',
    multiTaskReplayOptions,
    options,
  );
  const memory = replayMemory({ bufferSize, minibatchSize, seed: options.seed });
  const replay: Plugin = {
    name: 'multi-task-replay',
    memoryBytes: () => memory.buffer?.memoryBytes() ?? 0,
    forgetExamples: (match) => memory.forget(match),
    extraBatch(ctx) {
      const rows = memory.sample(ctx);
      return rows && { x: rows.x, y: rows.y, taskIds: rows.taskIds };
    },
    onStepEnd: (ctx) => memory.add(ctx),
    state: () => memory.state(),
    restore: (value) => memory.restore(value, 'checkpoint multi-task-replay'),
  };
  return {
    name: 'multi-task-replay',
    plugins: [multiTaskPlugin(weighting), replay, ...(options.plugins ?? [])],
  };
}

export const multiTaskReplayDefinition = defineStrategy({
  name: 'multi-task-replay',
  family: 'multi-task',
  description:
    'multi-task replay: the current task and old tasks rehearsed from a reservoir buffer as one weighted multi-task objective',
  options: multiTaskReplayOptions,
  taskFree: false,
  example: { bufferSize: 500 },
  create: multiTaskReplay,
});
