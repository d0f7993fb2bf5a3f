/**
 * What `fit` takes (the template's contract with its callers) and the checks it makes of it
 * before anything trains.
 */
import type * as tf from '../engine/tf.js';
import type { TrainingEventListener } from '../core/events.js';
import { ConfigError } from '../core/errors.js';
import type { Stream } from '../benchmarks/stream.js';
import type { Classifier } from '../models/classifier.js';
import type { FitCheckpoint } from '../checkpoint/fit-state.js';
import type { StateValue } from '../core/state.js';
import type { ActiveOutputs } from './active-classes.js';
import type { DriftWatchOptions } from './drift-watch.js';
import type { Plugin } from './plugin.js';
import type { TrainingSetSelector } from './strategy.js';

export interface FitOptions {
  stream: Stream;
  model: Classifier;
  /**
   * Makes a fresh optimizer. Called at the start of every experience that has data to train on
   * (and disposed at its end), so momentum and Adam moments never carry over from one
   * experience to the next, as in Avalanche's default.
   */
  optimizer: () => tf.Optimizer;
  /**
   * `false`: one optimizer for the whole run (Adam's moments carry over between experiences, the
   * default of van de Ven & Tolias's code). Default true.
   */
  resetOptimizer?: boolean;
  /** Restrict outputs to the active classes (`seen`, the default) or use every unit (`all`). */
  activeOutputs?: ActiveOutputs;
  /** Strategy name for `run-start`; default `custom`. */
  name?: string;
  plugins?: readonly Plugin[];
  /** Which data to train on at experience i; default the experience's train set. */
  trainingSet?: TrainingSetSelector;
  epochs: number;
  /** Optimizer steps per experience; when given it replaces `epochs`. */
  iterations?: number;
  batchSize: number;
  /**
   * Skip the partial mini-batch at the end of each pass over the data (PyTorch's
   * `DataLoader(drop_last=True)`, as van de Ven & Tolias's code): every step then sees exactly
   * `batchSize` samples. Default false (the last batch of a pass holds the remainder). Offline
   * experiences only; an observing plugin (GDumb) and online streams see every sample.
   */
  dropLast?: boolean;
  /** Fixes the order of mini-batches. Default 0. */
  seed?: number;
  onEvent?: TrainingEventListener;
  /** Evaluate the untrained model first (`afterExperience = -1`), for forward transfer. Default true. */
  evaluateBaseline?: boolean;
  /** Test samples per forward pass during evaluation. Default 1000. */
  evalBatchSize?: number;
  /**
   * Online streams only: watch the prequential error (each delivered example predicted before it
   * is trained on, 1 when wrong) with a drift detector, and emit a `drift` event at each drift it
   * reports (drift-watch.ts). Absent: no watching, and no extra forward pass.
   */
  drift?: DriftWatchOptions;
  /** Save checkpoints while training (after each experience, and every `everySteps` steps). */
  checkpoint?: FitCheckpointing;
  /**
   * Continue a run from a checkpoint it saved: the same stream, a fresh model and fresh plugins
   * made with the same options. Events before the checkpoint are not emitted again, but `fit`
   * returns them with the rest.
   */
  resume?: FitCheckpoint;
  /**
   * Called at the run's end, before the plugins free what they hold, with their states and the
   * classes seen: what a saved model needs to predict as the run evaluated and to learn on
   * (`stateAfterFit`, learner.ts).
   */
  onFinish?: (end: FitEnd) => void;
}

/** Where a fit ended, for a model saved from it. */
export interface FitEnd {
  readonly strategy: string;
  readonly plugins: readonly string[];
  readonly pluginStates: readonly StateValue[];
  readonly seenClasses: readonly number[];
  readonly steps: number;
}

/** How a run saves its checkpoints; the template only hands them over (files are the caller's). */
export interface FitCheckpointing {
  /** Also save every this many optimizer steps (counted over the run); 0 or absent: only after each experience. */
  everySteps?: number;
  /** Receives each checkpoint, synchronously, between steps. */
  save(checkpoint: FitCheckpoint): void;
  /** Asked after every step: true saves a checkpoint there and stops the run with `RunInterrupted`. */
  stopRequested?(): boolean;
}

/** Refuses options the template cannot honour, naming the field, before anything trains. */
export function validateFitOptions(options: FitOptions): void {
  const positive = (v: number) => Number.isInteger(v) && v > 0;
  if (options.iterations !== undefined && !positive(options.iterations)) {
    throw new ConfigError('iterations', `expected a positive integer, got ${options.iterations}`);
  }
  if (options.iterations === undefined && !positive(options.epochs))
    throw new ConfigError('epochs', `expected a positive integer, got ${options.epochs}`);
  if (!positive(options.batchSize)) {
    throw new ConfigError('batchSize', `expected a positive integer, got ${options.batchSize}`);
  }
  if (options.stream.online) validateOnline(options);
  else if (options.drift) {
    throw new ConfigError(
      'drift',
      `watches the prequential error of an online stream; ${options.stream.name} is not online`,
    );
  }
  const plugins = options.plugins ?? [];
  for (const hook of ['baseLoss', 'evaluationScores'] as const) {
    const owners = plugins.filter((p) => p[hook]).map((p) => p.name);
    if (owners.length > 1) {
      throw new ConfigError(
        'strategies',
        `expected at most one method that defines ${hook}, got ${owners.join(' and ')}`,
      );
    }
  }
  if (options.model.numClasses !== options.stream.numClasses) {
    throw new ConfigError(
      'model',
      `expected ${options.stream.numClasses} output classes (the stream's), got ${options.model.numClasses}`,
    );
  }
}

/**
 * Refuses what needs boundaries: plugins without `taskFree` (they would wait for hooks that
 * never come) and strategies that choose their training data per experience (Joint, Cumulative).
 */
function validateOnline(options: FitOptions): void {
  const bound = (options.plugins ?? []).filter((p) => !p.taskFree).map((p) => p.name);
  if (bound.length) {
    throw new ConfigError(
      'strategies',
      `an online stream gives no experience boundaries; these need them (no taskFree): ${bound.join(', ')}`,
    );
  }
  if (options.trainingSet) {
    throw new ConfigError(
      'strategies',
      `${options.name ?? 'the strategy'} picks its training data per experience, which an online stream does not announce`,
    );
  }
}
