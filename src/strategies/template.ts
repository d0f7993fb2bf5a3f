/**
 * The training template: the one loop every strategy runs. Per experience it emits
 * `experience-start`, trains for `epochs` epochs of seeded, shuffled mini-batches, emits
 * `epoch-end` after each and `experience-end` after the last, then evaluates on every
 * experience's test set (`evaluation`). With `iterations`, an experience is that many steps
 * instead (passes over its reshuffled data, the last one cut short), as in van de Ven & Tolias's
 * protocol. In class-IL and task-IL a single-head model's outputs are restricted to the active
 * classes (active-classes.ts) in training, in every plugin's view of the logits, and in evaluation. Methods change training only through their plugins'
 * hooks and contributions (plugin.ts); the template owns the model's updates. An online stream
 * (`stream.online`) is trained by `fitOnline` (online-template.ts) with the same step.
 */
import * as tf from '../engine/tf.js';
import { BASELINE_EVALUATION, type TrainingEvent, type TrainingEventListener } from '../core/events.js';
import { ConfigError } from '../core/errors.js';
import { createRng, type Rng } from '../core/random.js';
import type { Stream } from '../benchmarks/stream.js';
import { sampleSize, type Dataset } from '../data/dataset.js';
import type { Classifier } from '../models/classifier.js';
import { softmaxCrossEntropy } from '../engine/losses.js';
import { evaluate } from './evaluate.js';
import type { Batch, EpochContext, ExperienceContext, Plugin, StepContext } from './plugin.js';
import type { TrainingSetSelector } from './strategy.js';
import { ActiveClasses, maskLogits, maskRows, type ActiveOutputs } from './active-classes.js';
import { fitOnline, validateOnline } from './online-template.js';
import { logitsByTask } from './replay-buffer-option.js';

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
}

/** Trains on the stream, experience by experience; returns every event it emitted, in order. */
export function fit(options: FitOptions): TrainingEvent[] {
  validate(options);
  const { stream, model, epochs, batchSize, plugins = [], dropLast = false } = options;
  const events: TrainingEvent[] = [];
  const emit = (event: TrainingEvent) => {
    events.push(event);
    options.onEvent?.(event);
  };
  const active = new ActiveClasses(stream, options.activeOutputs ?? 'seen');
  const scorer = plugins.find((p) => p.evaluationScores);
  const evaluateAfter = (afterExperience: number) => {
    if (afterExperience !== BASELINE_EVALUATION) {
      const ctx = { stream, model, afterExperience, activeClasses: active.current() };
      plugins.forEach((p) => p.beforeEvaluation?.(ctx));
      for (const p of plugins) {
        const values = p.metrics?.(ctx);
        if (values) emit({ type: 'method-metrics', plugin: p.name, afterExperience, values });
      }
    }
    emit(
      evaluate({
        stream,
        model,
        afterExperience,
        batchSize: options.evalBatchSize,
        activeClasses: (tested) => active.forTest(tested),
        ...(scorer
          ? { scores: (x, taskId) => scorer.evaluationScores?.(x, taskId, model) ?? model.logits(x, taskId) }
          : {}),
      }),
    );
  };
  let sharedOptimizer: tf.Optimizer | undefined;
  const optimizerFor = () =>
    options.resetOptimizer === false ? (sharedOptimizer ??= options.optimizer()) : options.optimizer();
  const rng = createRng(options.seed ?? 0);
  const runStart = performance.now();
  // An observing plugin (GDumb) trains elsewhere: the stream is shown to it once, with no steps.
  const observeOnly = plugins.some((p) => p.observeOnly);
  const step = stepper(model, plugins, observeOnly);

  emit({
    type: 'run-start',
    strategy: options.name ?? 'custom',
    stream: { numExperiences: stream.experiences.length, scenario: stream.scenario },
  });
  if (options.evaluateBaseline ?? true) evaluateAfter(BASELINE_EVALUATION);

  if (stream.online) fitOnline({ options, active, step, emit, evaluateAfter });
  else trainExperiences();
  sharedOptimizer?.dispose();
  const stored = plugins.filter((p) => p.memoryBytes);
  emit({
    type: 'run-end',
    seconds: (performance.now() - runStart) / 1000,
    ...(stored.length ? { methodMemoryBytes: stored.reduce((n, p) => n + (p.memoryBytes?.() ?? 0), 0) } : {}),
  });
  plugins.forEach((p) => p.dispose?.());
  return events;

  // The offline path: experience by experience, with boundaries and epochs.
  function trainExperiences(): void {
    for (const experience of stream.experiences) {
      const i = experience.index;
      const selected = options.trainingSet ? options.trainingSet(stream, i) : experience.train;
      emit({ type: 'experience-start', experience: i, classes: experience.classes });
      const experienceStart = performance.now();
      let samples = 0;
      if (selected !== null) {
        const activeClasses = active.startTraining(i, selected);
        const ctx: ExperienceContext = { stream, experience, trainingSet: selected, model, activeClasses };
        // A selector that mixes experiences has no single task id to train with.
        const taskId = options.trainingSet ? undefined : experience.taskId;
        if (dropLast && !observeOnly && selected.y.length < batchSize) {
          throw new ConfigError(
            'dropLast',
            `experience ${i} has ${selected.y.length} training samples, fewer than one batch of ${batchSize}: every batch would be dropped`,
          );
        }
        const optimizer = optimizerFor();
        plugins.forEach((p) => p.onExperienceStart?.(ctx));
        let stepsLeft = observeOnly ? Infinity : (options.iterations ?? Infinity);
        const passes = observeOnly ? 1 : epochs;
        for (let epoch = 0; options.iterations && !observeOnly ? stepsLeft > 0 : epoch < passes; epoch++) {
          const epochCtx: EpochContext = { ...ctx, epoch };
          plugins.forEach((p) => p.onEpochStart?.(epochCtx));
          const epochStart = performance.now();
          const result = trainEpoch(epochCtx, {
            optimizer,
            step,
            batchSize,
            // An observing plugin is shown every sample: nothing is dropped for it.
            dropLast: dropLast && !observeOnly,
            taskId,
            maxSteps: stepsLeft,
            rng: rng.fork(),
            onProgress: (done, lossSum) =>
              emit({
                type: 'progress',
                experience: i,
                epoch,
                samples: done,
                epochSamples: selected.y.length,
                loss: done ? lossSum / done : NaN,
                seconds: (performance.now() - epochStart) / 1000,
              }),
          });
          samples += result.samples;
          stepsLeft -= result.steps;
          emit({
            type: 'epoch-end',
            experience: i,
            epoch,
            loss: result.samples ? result.lossSum / result.samples : NaN,
            samples: result.samples,
            seconds: (performance.now() - epochStart) / 1000,
          });
          plugins.forEach((p) => p.onEpochEnd?.(epochCtx));
        }
        plugins.forEach((p) => p.onExperienceEnd?.(ctx));
        if (optimizer !== sharedOptimizer) optimizer.dispose();
      }
      emit({
        type: 'experience-end',
        experience: i,
        seconds: (performance.now() - experienceStart) / 1000,
        samples,
      });
      evaluateAfter(i);
    }
  }
}

interface EpochSettings {
  optimizer: tf.Optimizer;
  step: Stepper;
  batchSize: number;
  /** Stop before a batch that would hold fewer than `batchSize` samples. */
  dropLast: boolean;
  taskId: number | undefined;
  /** Stop after this many steps (Infinity: the whole pass). */
  maxSteps: number;
  rng: Rng;
  /** Called at most every PROGRESS_INTERVAL_MS with training-set samples done and their summed loss. */
  onProgress: (samples: number, lossSum: number) => void;
}

export const PROGRESS_INTERVAL_MS = 250;

/** One pass over the training set (or its first `maxSteps` batches); returns steps, samples seen and their summed loss. */
function trainEpoch(
  ctx: EpochContext,
  settings: EpochSettings,
): { steps: number; samples: number; lossSum: number } {
  const { batchSize } = settings;
  const data = ctx.trainingSet;
  const order = settings.rng.permutation(data.y.length);
  let samples = 0;
  let lossSum = 0;
  let ownSamples = 0;
  let ownLossSum = 0;
  let lastProgress = performance.now();
  let step = 0;
  // Samples a batch must start before: every start, or only those with a full batch after them.
  const starts = settings.dropLast ? order.length - batchSize + 1 : order.length;
  for (; step * batchSize < starts && step < settings.maxSteps; step++) {
    const indices = order.subarray(step * batchSize, (step + 1) * batchSize);
    const batch = gather(data, indices);
    const result = settings.step({ ...ctx, step, batch, indices }, settings.optimizer, settings.taskId);
    samples += result.samples;
    if (Number.isNaN(result.loss)) continue;
    lossSum += result.loss * result.samples;
    ownSamples += batch.y.length;
    ownLossSum += result.loss * batch.y.length;
    if (performance.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
      lastProgress = performance.now();
      settings.onProgress(ownSamples, ownLossSum);
    }
  }
  return { steps: step, samples, lossSum };
}

/** What one step did: the samples it trained on (replayed ones included) and its loss (NaN when only observed). */
export interface StepResult {
  readonly samples: number;
  readonly loss: number;
}

/** Runs one step on `ctx.batch`: the body shared by offline epochs and online runs. */
export type Stepper = (ctx: StepContext, optimizer: tf.Optimizer, taskId: number | undefined) => StepResult;

/**
 * The step of a run: the plugins' extra samples joined to the batch, one forward pass, the base
 * loss plus every plugin's terms, the gradient hooks, the optimizer update, then `onStepEnd`.
 * With `observeOnly` the batch is only shown to `onStepEnd` (loss NaN).
 */
export function stepper(model: Classifier, plugins: readonly Plugin[], observeOnly: boolean): Stepper {
  const variables = [...model.variables];
  const hasGradientHooks = plugins.some((p) => p.onGradients || p.transformGradients);
  const lossPlugin = plugins.find((p) => p.baseLoss);
  return (stepCtx, optimizer, taskId) => {
    const { batch } = stepCtx;
    if (observeOnly) {
      plugins.forEach((p) => p.onStepEnd?.({ ...stepCtx, loss: NaN }));
      return { samples: batch.y.length, loss: NaN };
    }
    const extras = plugins.flatMap((p) => p.extraBatch?.(stepCtx) ?? []);
    const full = extras.length ? concatBatches([batch, ...extras]) : batch;
    const n = full.y.length;
    const rowsOf = replayedTaskClasses(stepCtx, batch, extras);
    const rowTaskIds = taskIdsOfRows(stepCtx.experience.taskId, [batch, ...extras]);
    const loss = tf.tidy(() => {
      const x = tf.tensor(full.x, [n, ...stepCtx.trainingSet.sampleShape]);
      const labels = tf.oneHot(tf.tensor1d(full.y, 'int32'), model.numClasses) as tf.Tensor2D;
      const { value, grads } = tf.variableGrads(() => {
        // A multi-head model given no step task id (a training set that mixes tasks): each row
        // through its own task's head.
        const unmaskedLogits =
          model.multiHead && taskId === undefined
            ? logitsByTask(model, x, rowTaskIds)
            : model.logits(x, taskId);
        const logits = rowsOf
          ? maskRows(unmaskedLogits, rowsOf)
          : maskLogits(unmaskedLogits, stepCtx.activeClasses);
        const lossCtx = { ...stepCtx, x, labels, logits, unmaskedLogits, taskId, rowTaskIds };
        const terms = plugins.flatMap((p) => p.lossTerms?.(lossCtx) ?? []);
        const base = lossPlugin?.baseLoss?.(lossCtx) ?? softmaxCrossEntropy(labels, logits);
        return terms.reduce<tf.Scalar>((sum, term) => tf.add(sum, term), base);
      }, variables);
      if (hasGradientHooks) {
        let ordered: readonly (tf.Tensor | undefined)[] = variables.map((v) => grads[v.name]);
        for (const p of plugins) {
          if (p.transformGradients) ordered = p.transformGradients({ ...stepCtx, grads: ordered }) ?? ordered;
        }
        plugins.forEach((p) => p.onGradients?.({ ...stepCtx, grads: ordered }));
        variables.forEach((v, k) => {
          const g = ordered[k];
          if (g) grads[v.name] = g;
        });
      }
      optimizer.applyGradients(grads);
      return value.dataSync()[0];
    });
    plugins.forEach((p) => p.onStepEnd?.({ ...stepCtx, loss }));
    return { samples: n, loss };
  };
}

/**
 * Task-IL with restricted outputs and extra rows tagged with task ids: the active classes of each
 * row of the joined batch (the batch's rows: the current task's; a tagged row: its own task's).
 * `null` where one mask serves every row.
 */
function replayedTaskClasses(
  ctx: StepContext,
  batch: Batch,
  extras: readonly Batch[],
): (readonly number[] | undefined)[] | null {
  if (ctx.stream.scenario !== 'task-il' || !ctx.activeClasses || !extras.some((b) => b.taskIds)) return null;
  const classesOf = new Map(ctx.stream.experiences.map((e) => [e.taskId, e.classes]));
  const rows: (readonly number[] | undefined)[] = Array.from(batch.y, () => ctx.activeClasses);
  for (const extra of extras) {
    extra.y.forEach((_, r) => rows.push(extra.taskIds ? classesOf.get(extra.taskIds[r]) : ctx.activeClasses));
  }
  return rows;
}

/** The task id of every row of the joined batches: its own where tagged, else the experience's. */
function taskIdsOfRows(experienceTaskId: number, batches: readonly Batch[]): Int32Array {
  const ids = new Int32Array(batches.reduce((n, b) => n + b.y.length, 0));
  let at = 0;
  for (const b of batches) {
    if (b.taskIds) ids.set(b.taskIds, at);
    else ids.fill(experienceTaskId, at, at + b.y.length);
    at += b.y.length;
  }
  return ids;
}

export function gather(data: Dataset, indices: Int32Array): Batch {
  const size = sampleSize(data);
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  indices.forEach((j, k) => {
    x.set(data.x.subarray(j * size, (j + 1) * size), k * size);
    y[k] = data.y[j];
  });
  const ids = data.taskIds;
  return ids ? { x, y, taskIds: Int32Array.from(indices, (j) => ids[j]) } : { x, y };
}

function concatBatches(batches: readonly Batch[]): Batch {
  const x = new Float32Array(batches.reduce((n, b) => n + b.x.length, 0));
  const y = new Int32Array(batches.reduce((n, b) => n + b.y.length, 0));
  let xAt = 0;
  let yAt = 0;
  for (const b of batches) {
    x.set(b.x, xAt);
    y.set(b.y, yAt);
    xAt += b.x.length;
    yAt += b.y.length;
  }
  return { x, y };
}

function validate(options: FitOptions): void {
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
