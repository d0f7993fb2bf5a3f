/**
 * One pass over an experience's training set in seeded, shuffled mini-batches, each trained by the
 * step (step.ts); it yields after every step, so that `fitAsync` and checkpoints can act between
 * steps. A pass resumed from a checkpoint starts at its saved step with its saved sums.
 */
import type * as tf from '../engine/tf.js';
import type { Rng } from '../core/random.js';
import type { EpochSums } from '../checkpoint/fit-state.js';
import type { EpochContext } from './plugin.js';
import { gather, type Stepper } from './step.js';

/** Progress events are emitted at most this often. */
export const PROGRESS_INTERVAL_MS = 250;

export interface EpochSettings {
  optimizer: tf.Optimizer;
  step: Stepper;
  batchSize: number;
  /** Stop before a batch that would hold fewer than `batchSize` samples. */
  dropLast: boolean;
  taskId: number | undefined;
  /** Stop after this many steps (Infinity: the whole pass). */
  maxSteps: number;
  /** Draws the pass's batch order. */
  rng: Rng;
  /** Where a resumed pass starts: its next step and its sums so far. */
  from?: EpochPoint;
  /** Called at most every PROGRESS_INTERVAL_MS with training-set samples done and their summed loss. */
  onProgress: (samples: number, lossSum: number) => void;
  /** Called after every step with where the pass stands (`step`: steps done); may save a checkpoint. */
  afterStep?: (at: EpochPoint) => void;
  /** The stream's augmentation, handed to each step (`StepContext.augment`). */
  augment?: (x: Float32Array, count: number) => Float32Array;
}

/** Where a pass stands: steps done and the sums of their samples. */
export interface EpochPoint extends EpochSums {
  readonly step: number;
}

/**
 * The pass (or its first `maxSteps` batches, counted from where it starts), yielding after every
 * step; returns where it ended.
 */
export function* trainEpoch(ctx: EpochContext, settings: EpochSettings): Generator<void, EpochPoint, void> {
  const { batchSize } = settings;
  const data = ctx.trainingSet;
  const order = settings.rng.permutation(data.y.length);
  const at = settings.from
    ? { ...settings.from }
    : { step: 0, samples: 0, lossSum: 0, ownSamples: 0, ownLossSum: 0 };
  const stepLimit = (settings.from?.step ?? 0) + settings.maxSteps;
  let lastProgress = performance.now();
  // Samples a batch must start before: every start, or only those with a full batch after them.
  const starts = settings.dropLast ? order.length - batchSize + 1 : order.length;
  while (at.step * batchSize < starts && at.step < stepLimit) {
    const step = at.step;
    const indices = order.subarray(step * batchSize, (step + 1) * batchSize);
    const batch = gather(data, indices);
    const stepCtx = {
      ...ctx,
      step,
      batch,
      indices,
      ...(settings.augment ? { augment: settings.augment } : {}),
    };
    const result = settings.step(stepCtx, settings.optimizer, settings.taskId);
    at.step++;
    at.samples += result.samples;
    if (!Number.isNaN(result.loss)) {
      at.lossSum += result.loss * result.samples;
      at.ownSamples += batch.y.length;
      at.ownLossSum += result.loss * batch.y.length;
      if (performance.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
        lastProgress = performance.now();
        settings.onProgress(at.ownSamples, at.ownLossSum);
      }
    }
    settings.afterStep?.(at);
    yield;
  }
  return at;
}
