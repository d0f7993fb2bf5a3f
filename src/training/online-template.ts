/**
 * The template's online path (`fit` on a stream with `online` set, see benchmarks/online.ts): one
 * pass over the delivered data in batches of `online.batchSize`, each trained by the same step as
 * an offline epoch (`stepper`, template.ts). The strategy is never told where an experience ends:
 * no plugin gets `onExperienceStart` / `onExperienceEnd` or epoch hooks, and every step sees one
 * pseudo-experience for the whole stream. The events still follow the nominal experiences, so
 * metrics read an online run as they read an offline one: per experience `experience-start`,
 * one `epoch-end` (epoch 0), `experience-end`, and, after the batch that reaches its end,
 * `beforeEvaluation` hooks then `evaluation`. Batches are cut from the delivered data regardless
 * of boundaries: one that straddles a boundary counts in the experience it starts in.
 */
import type { TrainingEvent } from '../core/events.js';
import { ConfigError } from '../core/errors.js';
import type { Experience } from '../benchmarks/experience.js';
import { deliver } from '../benchmarks/online.js';
import { sampleSize } from '../data/dataset.js';
import type { ActiveClasses } from './active-classes.js';
import type { ExperienceContext } from './plugin.js';
import { PROGRESS_INTERVAL_MS, type FitOptions, type Stepper } from './template.js';
import type * as tf from '../engine/tf.js';
import type { TrainingPosition } from '../checkpoint/fit-state.js';

/** What `fit` hands its online path: the run's options and the machinery shared with offline runs. */
export interface OnlineRun {
  readonly options: FitOptions;
  readonly active: ActiveClasses;
  readonly step: Stepper;
  emit(event: TrainingEvent): void;
  /** `beforeEvaluation` hooks, then the `evaluation` event. */
  evaluateAfter(afterExperience: number): void;
  /**
   * Where a resumed run stands (`experience`: the segment, `step`: the next batch, the epoch
   * sums: the segment's so far) and its restored optimizer, which the online path then owns.
   */
  readonly resumeAt?: TrainingPosition;
  readonly optimizer?: tf.Optimizer;
  /** After every step, with the optimizer and where the run stands (checkpoints). */
  afterStep(optimizer: tf.Optimizer, at: () => TrainingPosition): void;
}

/**
 * Refuses what needs boundaries: plugins without `taskFree` (they would wait for hooks that
 * never come) and strategies that choose their training data per experience (Joint, Cumulative).
 */
export function validateOnline(options: FitOptions): void {
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

/**
 * Trains on an online stream. `epochs` and `iterations` do not apply (the stream is seen once),
 * nor does `resetOptimizer`: one optimizer serves the whole run, as there is no boundary to reset
 * it at. Class-IL's active classes are those seen in the batches so far. No task id is given to
 * the model (class-IL and domain-IL have a single head).
 */
export function* fitOnline(run: OnlineRun): Generator<void, void, void> {
  const { stream, model } = run.options;
  const { batchSize } = stream.online!;
  const { data, boundaries } = deliver(stream);
  // The one experience every hook sees: index 0, task 0, the delivered data as its train set,
  // no test set and no classes, so nothing in it reveals where the stream changes.
  const experience: Experience = {
    index: 0,
    taskId: 0,
    train: data,
    test: { ...data, x: new Float32Array(0), y: new Int32Array(0) },
    classes: [],
  };
  const optimizer = run.optimizer ?? run.options.optimizer();
  const size = sampleSize(data);
  const T = stream.experiences.length;
  const at = run.resumeAt;
  let segment = at?.experience ?? 0;
  let segmentStart = performance.now() - (at?.experienceSeconds ?? 0) * 1000;
  let lastProgress = performance.now();
  let samples = at?.epochSamples ?? 0;
  let ownSamples = at?.epochOwnSamples ?? 0;
  let lossSum = at?.epochLossSum ?? 0;
  let ownLossSum = at?.epochOwnLossSum ?? 0;
  const open = () => {
    run.emit({ type: 'experience-start', experience: segment, classes: stream.experiences[segment].classes });
    segmentStart = lastProgress = performance.now();
    samples = ownSamples = lossSum = ownLossSum = 0;
  };
  const close = () => {
    const seconds = (performance.now() - segmentStart) / 1000;
    const loss = samples ? lossSum / samples : NaN;
    run.emit({ type: 'epoch-end', experience: segment, epoch: 0, loss, samples, seconds });
    run.emit({ type: 'experience-end', experience: segment, seconds, samples });
    run.evaluateAfter(segment);
  };

  // Where the run stands for a checkpoint taken after the step that ends at batch `next`.
  const position = (next: number): TrainingPosition => ({
    experience: segment,
    inProgress: true,
    epoch: 0,
    step: next,
    stepsLeft: -1,
    epochSeed: 0,
    experienceSamples: samples,
    experienceSeconds: (performance.now() - segmentStart) / 1000,
    epochSamples: samples,
    epochLossSum: lossSum,
    epochOwnSamples: ownSamples,
    epochOwnLossSum: ownLossSum,
    epochSeconds: (performance.now() - segmentStart) / 1000,
  });

  try {
    if (!at) open();
    yield* batches(at?.step ?? 0);
    close();
  } finally {
    optimizer.dispose();
  }

  function* batches(first: number): Generator<void, void, void> {
    for (let step = first, start = first * batchSize; start < data.y.length; start += batchSize, step++) {
      const end = Math.min(start + batchSize, data.y.length);
      const indices = Int32Array.from({ length: end - start }, (_, k) => start + k);
      const batch = { x: data.x.slice(start * size, end * size), y: data.y.slice(start, end) };
      const activeClasses = run.active.observe(batch.y);
      const ctx: ExperienceContext = { stream, experience, trainingSet: data, model, activeClasses };
      const result = run.step({ ...ctx, epoch: 0, step, batch, indices }, optimizer, undefined);
      samples += result.samples;
      if (!Number.isNaN(result.loss)) {
        lossSum += result.loss * result.samples;
        ownSamples += batch.y.length;
        ownLossSum += result.loss * batch.y.length;
        if (performance.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = performance.now();
          run.emit({
            type: 'progress',
            experience: segment,
            epoch: 0,
            samples: ownSamples,
            epochSamples: stream.experiences[segment].train.y.length,
            loss: ownLossSum / ownSamples,
            seconds: (lastProgress - segmentStart) / 1000,
          });
        }
      }
      // A batch may reach more than one boundary when experiences are smaller than a batch.
      while (segment < T - 1 && end >= boundaries[segment]) {
        close();
        segment++;
        open();
      }
      run.afterStep(optimizer, () => position(step + 1));
      yield;
    }
  }
}
