/**
 * Importance replay: experience replay whose replayed mini-batch is split across the old tasks in
 * proportion to their estimated importance (task-importance.ts) instead of uniformly. The memory
 * is a per-task buffer (per-task-buffer.ts: `bufferSize` rows, equal parts per task seen, filled
 * with a random subset of each experience's training set at its end); every step joins
 * `minibatchSize` rows drawn from it to the batch, as ER does. Both weightings use the same
 * buffer, the same replay batch size and the same training data (the estimator holds the same
 * rows out in both), so `weighting: 'uniform'` is the same method at the same budget: only how
 * the replayed rows are divided among the old tasks differs.
 *
 * Replayed rows go through the batch's forward pass, so the model must be single-head (as ER);
 * they carry their task ids, so in task-IL the template restricts each to its own task's classes.
 */
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { createRng } from '../../core/random.js';
import { StateReader } from '../../core/state.js';
import { sampleSize } from '../../data/dataset.js';
import { PerTaskBuffer } from '../../memory/per-task-buffer.js';
import type { Plugin } from '../../training/plugin.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';
import { importanceOptions, withImportance, type TaskWeights } from './task-importance.js';

/** The replay part's options (`importanceReplayPlugin`): the per-task buffer's. */
export const importanceReplayBufferOptions = z.strictObject({
  bufferSize: z
    .number()
    .int()
    .positive()
    .describe('examples the buffer keeps over all tasks, in equal parts per task seen'),
  minibatchSize: z.number().int().positive().default(10).describe('replayed examples per step'),
});

/** Importance replay's options (`importance-replay` in a config): its buffer's and the estimator's. */
export const importanceReplayOptions = importanceReplayBufferOptions.extend(importanceOptions);

/** `importance-replay-uniform`'s: the same, its weighting fixed to uniform. */
export const importanceReplayUniformOptions = importanceReplayOptions.omit({ weighting: true });

export type ImportanceReplayOptions = StrategyOptions & z.input<typeof importanceReplayOptions>;

export interface ImportanceReplayPlugin extends Plugin {
  /** The buffer, made when the first experience starts. */
  readonly buffer: () => PerTaskBuffer | null;
}

/** The replay part alone: `weights()` gives each stored task's share, in experience order. */
export function importanceReplayPlugin(
  options: StrategyOptions & z.input<typeof importanceReplayBufferOptions>,
  weights: TaskWeights,
): ImportanceReplayPlugin {
  const { bufferSize, minibatchSize } = methodOptions(
    'importance-replay',
    importanceReplayBufferOptions,
    options,
  );
  const { seed = 0 } = options;
  let rng = createRng(seed);
  let buffer: PerTaskBuffer | null = null;
  return {
    name: 'importance-replay',
    buffer: () => buffer,
    memoryBytes: () => buffer?.memoryBytes() ?? 0,
    forgetExamples: (match) => buffer?.forget(match) ?? 0,
    onExperienceStart(ctx) {
      buffer ??= new PerTaskBuffer(bufferSize, sampleSize(ctx.trainingSet));
    },
    extraBatch(ctx) {
      if (ctx.model.multiHead) {
        throw new ConfigError(
          'model',
          'expected a single-head model (importance replay replays through the batch forward pass), got a multi-head one',
        );
      }
      if (!buffer?.size) return null;
      // The buffer's tasks are experience indices in order, as the weights are.
      const shares = weights().slice(0, buffer.tasks.length);
      const rows = buffer.sample(minibatchSize, shares, rng);
      const taskIds = Int32Array.from(rows.taskIds, (e) => ctx.stream.experiences[e].taskId);
      return { x: rows.x, y: rows.y, taskIds };
    },
    onExperienceEnd(ctx) {
      buffer?.addTask(ctx.experience.index, ctx.trainingSet, rng);
    },
    // The buffer is made at the first experience's start, so a checkpoint always has one; its
    // rows' size is saved to make it again before that start runs on the resumed side.
    state: () => ({ rng: rng.state(), buffer: buffer?.state() ?? null }),
    restore(value) {
      const where = 'checkpoint importance-replay';
      const state = new StateReader(value, where);
      const restoredRng = createRng(state.integer('rng'));
      if (state.has('buffer')) {
        const saved = state.reader('buffer');
        const restored = new PerTaskBuffer(bufferSize, saved.integer('sampleSize'));
        restored.restore(state.raw('buffer'), `${where}.buffer`);
        buffer = restored;
      } else {
        buffer = null;
      }
      rng = restoredRng;
    },
  };
}

/**
 * Importance replay as a strategy: the estimator and the replay, trained on the estimator's
 * training sets. The seed chooses the held-out rows and which rows are stored and replayed.
 */
export function importanceReplay(options: ImportanceReplayOptions): Strategy {
  const { bufferSize, minibatchSize, ...importance } = methodOptions(
    'importance-replay',
    importanceReplayOptions,
    options,
  );
  const { seed } = options;
  const strategy = withImportance('importance-replay', { ...importance, seed }, (weights) => ({
    name: 'importance-replay',
    plugins: [importanceReplayPlugin({ bufferSize, minibatchSize, seed }, weights)],
  }));
  return { ...strategy, plugins: [...strategy.plugins, ...(options.plugins ?? [])] };
}

export const importanceReplayDefinition = defineStrategy({
  name: 'importance-replay',
  family: 'task-importance',
  description:
    'importance replay: experience replay whose replayed batch is split across the old tasks by their estimated importance',
  options: importanceReplayOptions,
  taskFree: false,
  example: { bufferSize: 500 },
  create: importanceReplay,
});

export const importanceReplayUniformDefinition = defineStrategy({
  name: 'importance-replay-uniform',
  family: 'task-importance',
  description: 'importance replay with uniform weights: the same buffer, replay batch and training data',
  options: importanceReplayUniformOptions,
  taskFree: false,
  example: { bufferSize: 500 },
  create: (options) => importanceReplay({ ...options, weighting: 'uniform' }),
});
