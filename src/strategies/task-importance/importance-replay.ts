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
import { ConfigError } from '../../core/errors.js';
import { createRng } from '../../core/random.js';
import { StateReader } from '../../core/state.js';
import { sampleSize } from '../../data/dataset.js';
import { PerTaskBuffer } from '../../memory/per-task-buffer.js';
import type { Plugin } from '../../training/plugin.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { withImportance, type TaskImportanceOptions, type TaskWeights } from './task-importance.js';

export interface ImportanceReplayOptions extends StrategyOptions {
  /** Rows the buffer keeps, over all tasks. Required. */
  bufferSize: number;
  /** Replayed rows per step. Default 10. */
  minibatchSize?: number;
  /** Seeds which rows are stored and which are replayed. Default 0. */
  seed?: number;
  /** How the estimate is measured and whether it is used (`weighting`). */
  importance?: TaskImportanceOptions;
}

export interface ImportanceReplayPlugin extends Plugin {
  /** The buffer, made when the first experience starts. */
  readonly buffer: () => PerTaskBuffer | null;
}

/** The replay part alone: `weights()` gives each stored task's share, in experience order. */
export function importanceReplayPlugin(
  options: Omit<ImportanceReplayOptions, 'importance'>,
  weights: TaskWeights,
): ImportanceReplayPlugin {
  const { bufferSize, minibatchSize = 10, seed = 0 } = options;
  const positive = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (!positive(bufferSize))
    throw new ConfigError('bufferSize', `expected a positive integer, got ${bufferSize}`);
  if (!positive(minibatchSize)) {
    throw new ConfigError('minibatchSize', `expected a positive integer, got ${minibatchSize}`);
  }
  let rng = createRng(seed);
  let buffer: PerTaskBuffer | null = null;
  return {
    name: 'importance-replay',
    buffer: () => buffer,
    memoryBytes: () => buffer?.memoryBytes() ?? 0,
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

/** Importance replay as a strategy: the estimator and the replay, trained on the estimator's training sets. */
export function importanceReplay(options: ImportanceReplayOptions): Strategy {
  const strategy = withImportance('importance-replay', options.importance ?? {}, (weights) => ({
    name: 'importance-replay',
    plugins: [importanceReplayPlugin(options, weights)],
  }));
  return { ...strategy, plugins: [...strategy.plugins, ...(options.plugins ?? [])] };
}
