/**
 * Test helper: a strategy trained without a break, and the same strategy stopped after some steps,
 * saved through the checkpoint file format, and resumed in fresh objects (a new model, new
 * plugins, as a new process would make them). Resuming is exact when both give the same
 * evaluations and the same final weights, bit for bit.
 */
import assert from 'node:assert/strict';
import * as tf from '../../engine/tf.js';
import type { EvaluationEvent, TrainingEvent } from '../../core/events.js';
import type { Stream } from '../../benchmarks/stream.js';
import type { Classifier } from '../../models/classifier.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../checkpoint/file-format.js';
import { checkpointFromState, checkpointToState, type FitCheckpoint } from '../../checkpoint/fit-state.js';
import { fit, RunInterrupted, type FitOptions } from '../../training/template.js';
import type { Strategy } from '../../training/strategy.js';

export interface ResumeCase {
  /** A fresh strategy (new plugins) each call, made with the same options. */
  readonly strategy: () => Strategy;
  readonly stream: Stream;
  readonly newModel: () => Classifier;
  readonly optimizer: FitOptions['optimizer'];
  readonly epochs?: number;
  readonly iterations?: number;
  readonly batchSize: number;
  readonly seed?: number;
  readonly resetOptimizer?: boolean;
  readonly dropLast?: boolean;
  /** An online run's drift detector (`FitOptions.drift`). */
  readonly drift?: FitOptions['drift'];
}

const weights = (model: Classifier) => model.variables.map((v) => Array.from(v.dataSync()));

function options(c: ResumeCase, model: Classifier, strategy: Strategy): FitOptions {
  return {
    ...strategy,
    stream: c.stream,
    model,
    optimizer: c.optimizer,
    epochs: c.epochs ?? 1,
    ...(c.iterations ? { iterations: c.iterations } : {}),
    batchSize: c.batchSize,
    seed: c.seed ?? 0,
    ...(c.resetOptimizer !== undefined ? { resetOptimizer: c.resetOptimizer } : {}),
    ...(c.dropLast !== undefined ? { dropLast: c.dropLast } : {}),
    ...(c.drift ? { drift: c.drift } : {}),
  };
}

/** The run without a break: its events and final weights. */
export function runWhole(c: ResumeCase): { events: TrainingEvent[]; weights: number[][] } {
  const model = c.newModel();
  const events = fit(options(c, model, c.strategy()));
  const w = weights(model);
  model.dispose();
  return { events, weights: w };
}

/**
 * The run stopped at the `stopAt`-th time the template asks whether to stop (once after every
 * step and once after every experience but the last), its checkpoint written to bytes and read
 * back, then resumed in fresh objects. Returns the checkpoint and the resumed run's events and
 * weights; null when the run ended before `stopAt`.
 */
export function stopAndResume(
  c: ResumeCase,
  stopAt: number,
): { checkpoint: FitCheckpoint; bytes: number; events: TrainingEvent[]; weights: number[][] } | null {
  let asked = 0;
  let saved: Buffer | undefined;
  const first = c.newModel();
  try {
    fit({
      ...options(c, first, c.strategy()),
      checkpoint: {
        save: (checkpoint) => (saved = encodeCheckpoint(checkpointToState(checkpoint))),
        stopRequested: () => ++asked >= stopAt,
      },
    });
    first.dispose();
    return null;
  } catch (error) {
    first.dispose();
    if (!(error instanceof RunInterrupted)) throw error;
  }
  assert.ok(saved, 'a stopped run saved a checkpoint');
  const checkpoint = checkpointFromState(decodeCheckpoint(saved, 'checkpoint'));
  const model = c.newModel();
  const events = fit({ ...options(c, model, c.strategy()), resume: checkpoint });
  const w = weights(model);
  model.dispose();
  return { checkpoint, bytes: saved.length, events, weights: w };
}

const evaluations = (events: readonly TrainingEvent[]) =>
  events
    .filter((e): e is EvaluationEvent => e.type === 'evaluation')
    .map((e) => ({ after: e.afterExperience, accuracies: e.perExperience.map((p) => p.accuracy) }));

/**
 * Asserts that stopping at each of `stops` and resuming gives the uninterrupted run's evaluations
 * and final weights exactly, and that nothing leaks. Returns how many stops fell inside the run.
 */
export function assertResumesExactly(c: ResumeCase, stops: readonly number[]): number {
  const start = tf.memory().numTensors;
  const whole = runWhole(c);
  let resumed = 0;
  for (const stopAt of stops) {
    const run = stopAndResume(c, stopAt);
    if (!run) continue;
    resumed++;
    const where = `stopped at ask ${stopAt} (experience ${run.checkpoint.position.experience}, step ${run.checkpoint.position.inProgress?.epoch.step ?? 'none'})`;
    assert.deepEqual(evaluations(run.events), evaluations(whole.events), `evaluations, ${where}`);
    assert.deepEqual(run.weights, whole.weights, `final weights, ${where}`);
    assert.deepEqual(
      run.events.map((e) => e.type),
      whole.events.filter((e) => e.type !== 'progress').map((e) => e.type),
      `the resumed run's events follow the same sequence, ${where}`,
    );
  }
  assert.equal(tf.memory().numTensors, start, 'no tensor leaks over the runs');
  return resumed;
}
