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
import { logitsByTask } from '../models/logits-by-task.js';
import type { StateValue } from '../core/state.js';
import { isCheckpointable, type CheckpointableOptimizer } from '../engine/optimizers/index.js';
import { restoreVariables, variablesState } from '../engine/tensor-state.js';
import {
  FIT_CHECKPOINT_FORMAT,
  assertCheckpointable,
  assertSameStrategy,
  type FitCheckpoint,
  type TrainingPosition,
} from '../checkpoint/fit-state.js';

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
  /** Save checkpoints while training (after each experience, and every `everySteps` steps). */
  checkpoint?: FitCheckpointing;
  /**
   * Continue a run from a checkpoint it saved: the same stream, a fresh model and fresh plugins
   * made with the same options. Events before the checkpoint are not emitted again, but `fit`
   * returns them with the rest.
   */
  resume?: FitCheckpoint;
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

/** Trains on the stream, experience by experience; returns every event it emitted, in order. */
export function fit(options: FitOptions): TrainingEvent[] {
  const run = fitSteps(options);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
  }
}

/**
 * `fit` that lets the event loop run every `yieldEveryMs` between steps, so that a signal handler
 * (SIGINT asking for a checkpoint, see `FitCheckpointing.stopRequested`) or a server can act while a
 * long run trains. The same steps in the same order: the results equal `fit`'s.
 */
export async function fitAsync(options: FitOptions, yieldEveryMs = 50): Promise<TrainingEvent[]> {
  const run = fitSteps(options);
  let last = performance.now();
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
    if (performance.now() - last >= yieldEveryMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
}

/** Thrown by `fit` after it saved a checkpoint because `stopRequested` said so. */
export class RunInterrupted extends Error {
  constructor(readonly checkpoint: FitCheckpoint) {
    super(
      `training stopped on request after ${checkpoint.steps} steps (experience ${checkpoint.position.experience}); a checkpoint was saved`,
    );
    this.name = 'RunInterrupted';
  }
}

/** The template as a generator that yields after every optimizer step (`fit` and `fitAsync` drive it). */
function* fitSteps(options: FitOptions): Generator<void, TrainingEvent[], void> {
  validate(options);
  const { stream, model, epochs, batchSize, plugins = [], dropLast = false } = options;
  const name = options.name ?? 'custom';
  const { checkpoint: checkpointing, resume } = options;
  if (checkpointing || resume) prepareCheckpointing(options);
  const events: TrainingEvent[] = resume ? [...resume.events] : [];
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
  let rng = createRng(options.seed ?? 0);
  const runStart = performance.now() - (resume?.seconds ?? 0) * 1000;
  let totalSteps = resume?.steps ?? 0;
  // An observing plugin (GDumb) trains elsewhere: the stream is shown to it once, with no steps.
  const observeOnly = plugins.some((p) => p.observeOnly);
  const step = stepper(model, plugins, observeOnly);

  let position: TrainingPosition | undefined;
  let resumedOptimizer: tf.Optimizer | undefined;
  // The optimizer of the experience in progress, when it is not the run's shared one.
  let experienceOptimizer: tf.Optimizer | undefined;
  if (resume) {
    const restored = restoreCheckpoint(options, resume, active);
    rng = restored.rng;
    position = resume.position;
    if (restored.optimizer) {
      if (options.resetOptimizer === false && !stream.online) sharedOptimizer = restored.optimizer;
      else resumedOptimizer = restored.optimizer;
    }
  } else {
    emit({
      type: 'run-start',
      strategy: name,
      stream: { numExperiences: stream.experiences.length, scenario: stream.scenario },
    });
    if (options.evaluateBaseline ?? true) evaluateAfter(BASELINE_EVALUATION);
  }

  try {
    if (stream.online) {
      yield* fitOnline({
        options,
        active,
        step,
        emit,
        evaluateAfter,
        ...(position ? { resumeAt: position } : {}),
        ...(resumedOptimizer ? { optimizer: resumedOptimizer } : {}),
        afterStep,
      });
    } else yield* trainExperiences();
  } catch (error) {
    // A run stopped by a request or an error frees what it holds; a resume starts from fresh objects.
    experienceOptimizer?.dispose();
    sharedOptimizer?.dispose();
    plugins.forEach((p) => p.dispose?.());
    throw error;
  }
  sharedOptimizer?.dispose();
  const stored = plugins.filter((p) => p.memoryBytes);
  emit({
    type: 'run-end',
    seconds: (performance.now() - runStart) / 1000,
    ...(stored.length ? { methodMemoryBytes: stored.reduce((n, p) => n + (p.memoryBytes?.() ?? 0), 0) } : {}),
  });
  plugins.forEach((p) => p.dispose?.());
  return events;

  /**
   * After every step: counts it, and saves a checkpoint (positioned by `at`) when one is due or a
   * stop was requested; a requested stop then ends the run with `RunInterrupted`.
   */
  function afterStep(optimizer: tf.Optimizer, at: () => TrainingPosition): void {
    totalSteps++;
    if (!checkpointing) return;
    const every = checkpointing.everySteps ?? 0;
    const stop = checkpointing.stopRequested?.() ?? false;
    if (!stop && !(every > 0 && totalSteps % every === 0)) return;
    const checkpoint = snapshot(at(), optimizer);
    checkpointing.save(checkpoint);
    if (stop) throw new RunInterrupted(checkpoint);
  }

  /** A checkpoint of the run as it stands, with `at` as the next thing to do. */
  function snapshot(at: TrainingPosition, optimizer: tf.Optimizer | undefined): FitCheckpoint {
    return {
      format: FIT_CHECKPOINT_FORMAT,
      strategy: name,
      plugins: plugins.map((p) => p.name),
      position: at,
      rng: rng.state(),
      seenClasses: active.seenClasses(),
      events: [...events],
      model: variablesState(model.variables),
      optimizer: optimizer
        ? (optimizer as tf.Optimizer & CheckpointableOptimizer).saveState(model.variables)
        : null,
      pluginStates: plugins.map((p) => (p.stateless ? null : (p.state?.() ?? null))),
      seconds: (performance.now() - runStart) / 1000,
      steps: totalSteps,
    };
  }

  // The offline path: experience by experience, with boundaries and epochs.
  function* trainExperiences(): Generator<void, void, void> {
    const first = position?.experience ?? 0;
    for (const experience of stream.experiences.slice(first)) {
      const i = experience.index;
      // Resuming inside this experience: its start (event, hooks, optimizer) has happened already.
      const resumed = position?.inProgress && position.experience === i ? position : undefined;
      const selected = options.trainingSet ? options.trainingSet(stream, i) : experience.train;
      if (!resumed) emit({ type: 'experience-start', experience: i, classes: experience.classes });
      const experienceStart = performance.now() - (resumed?.experienceSeconds ?? 0) * 1000;
      let samples = resumed?.experienceSamples ?? 0;
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
        const optimizer = resumed && resumedOptimizer ? resumedOptimizer : optimizerFor();
        if (optimizer !== sharedOptimizer) experienceOptimizer = optimizer;
        if (!resumed) plugins.forEach((p) => p.onExperienceStart?.(ctx));
        let stepsLeft = observeOnly
          ? Infinity
          : resumed
            ? resumed.stepsLeft < 0
              ? Infinity
              : resumed.stepsLeft
            : (options.iterations ?? Infinity);
        const passes = observeOnly ? 1 : epochs;
        const firstEpoch = resumed?.epoch ?? 0;
        // A resumed epoch is always finished, even when its checkpoint came after its last step.
        const moreEpochs = (epoch: number) =>
          (resumed !== undefined && epoch === firstEpoch) ||
          (options.iterations && !observeOnly ? stepsLeft > 0 : epoch < passes);
        for (let epoch = firstEpoch; moreEpochs(epoch); epoch++) {
          const epochCtx: EpochContext = { ...ctx, epoch };
          const resumedEpoch = resumed && epoch === firstEpoch ? resumed : undefined;
          if (!resumedEpoch) plugins.forEach((p) => p.onEpochStart?.(epochCtx));
          const epochStart = performance.now() - (resumedEpoch?.epochSeconds ?? 0) * 1000;
          const epochSeed = resumedEpoch ? resumedEpoch.epochSeed : rng.fork().state();
          const startSteps = stepsLeft;
          const result = yield* trainEpoch(epochCtx, {
            optimizer,
            step,
            batchSize,
            // An observing plugin is shown every sample: nothing is dropped for it.
            dropLast: dropLast && !observeOnly,
            taskId,
            maxSteps: stepsLeft,
            rng: createRng(epochSeed),
            from: resumedEpoch
              ? {
                  step: resumedEpoch.step,
                  samples: resumedEpoch.epochSamples,
                  lossSum: resumedEpoch.epochLossSum,
                  ownSamples: resumedEpoch.epochOwnSamples,
                  ownLossSum: resumedEpoch.epochOwnLossSum,
                }
              : undefined,
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
            afterStep: (sums) =>
              afterStep(optimizer, () => ({
                experience: i,
                inProgress: true,
                epoch,
                step: sums.step,
                stepsLeft: Number.isFinite(startSteps)
                  ? startSteps - (sums.step - (resumedEpoch?.step ?? 0))
                  : -1,
                epochSeed,
                experienceSamples: samples + sums.samples - (resumedEpoch?.epochSamples ?? 0),
                experienceSeconds: (performance.now() - experienceStart) / 1000,
                epochSamples: sums.samples,
                epochLossSum: sums.lossSum,
                epochOwnSamples: sums.ownSamples,
                epochOwnLossSum: sums.ownLossSum,
                epochSeconds: (performance.now() - epochStart) / 1000,
              })),
          });
          samples += result.samples - (resumedEpoch?.epochSamples ?? 0);
          stepsLeft -= result.steps - (resumedEpoch?.step ?? 0);
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
        experienceOptimizer = undefined;
      }
      emit({
        type: 'experience-end',
        experience: i,
        seconds: (performance.now() - experienceStart) / 1000,
        samples,
      });
      evaluateAfter(i);
      position = undefined;
      if (checkpointing && i < stream.experiences.length - 1) {
        const checkpoint = snapshot(
          {
            experience: i + 1,
            inProgress: false,
            epoch: 0,
            step: 0,
            stepsLeft: -1,
            epochSeed: 0,
            experienceSamples: 0,
            experienceSeconds: 0,
            epochSamples: 0,
            epochLossSum: 0,
            epochOwnSamples: 0,
            epochOwnLossSum: 0,
            epochSeconds: 0,
          },
          sharedOptimizer,
        );
        checkpointing.save(checkpoint);
        if (checkpointing.stopRequested?.()) throw new RunInterrupted(checkpoint);
      }
    }
  }
}

/** Refuses to checkpoint (or resume) what cannot be saved, before anything trains. */
function prepareCheckpointing(options: FitOptions): void {
  assertCheckpointable(options.plugins ?? []);
  const probe = options.optimizer();
  const ok = isCheckpointable(probe);
  probe.dispose();
  if (!ok) {
    throw new ConfigError(
      'optimizer',
      "expected one of unforget's optimizers (sgd, adam), whose state a checkpoint can save",
    );
  }
  const every = options.checkpoint?.everySteps;
  if (every !== undefined && !(Number.isInteger(every) && every >= 0)) {
    throw new ConfigError('checkpoint.everySteps', `expected an integer >= 0, got ${every}`);
  }
}

/** Puts a checkpoint back: model, plugins, seen classes; returns the generator and optimizer to go on with. */
function restoreCheckpoint(
  options: FitOptions,
  checkpoint: FitCheckpoint,
  active: ActiveClasses,
): { rng: Rng; optimizer: tf.Optimizer | undefined } {
  const plugins = options.plugins ?? [];
  assertSameStrategy(checkpoint, options.name ?? 'custom', plugins);
  const { position } = checkpoint;
  if (position.experience < 0 || position.experience >= options.stream.experiences.length) {
    throw new ConfigError(
      'resume',
      `the checkpoint stands at experience ${position.experience}; the stream has ${options.stream.experiences.length}`,
    );
  }
  restoreVariables(options.model.variables, checkpoint.model as StateValue, 'checkpoint model');
  plugins.forEach((p, k) => {
    if (!p.stateless) p.restore?.(checkpoint.pluginStates[k]);
  });
  active.restoreSeen(checkpoint.seenClasses);
  let optimizer: tf.Optimizer | undefined;
  if (checkpoint.optimizer) {
    optimizer = options.optimizer();
    (optimizer as tf.Optimizer & CheckpointableOptimizer).loadState(
      options.model.variables,
      checkpoint.optimizer,
    );
  }
  return { rng: createRng(checkpoint.rng), optimizer };
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
  /** Draws the pass's batch order. */
  rng: Rng;
  /** Where a resumed pass starts: its next step and its sums so far. */
  from?: EpochSums;
  /** Called at most every PROGRESS_INTERVAL_MS with training-set samples done and their summed loss. */
  onProgress: (samples: number, lossSum: number) => void;
  /** Called after every step with the pass's sums so far (`step`: steps done); may save a checkpoint. */
  afterStep?: (sums: EpochSums) => void;
}

/** A pass's running sums: steps done, samples trained on (replayed included) and their summed loss. */
interface EpochSums {
  step: number;
  samples: number;
  lossSum: number;
  /** The same over the training set's own samples (what progress shows). */
  ownSamples: number;
  ownLossSum: number;
}

export const PROGRESS_INTERVAL_MS = 250;

/**
 * One pass over the training set (or its first `maxSteps` batches, counted from the pass's start),
 * yielding after every step; returns steps, samples seen and their summed loss.
 */
function* trainEpoch(
  ctx: EpochContext,
  settings: EpochSettings,
): Generator<void, { steps: number; samples: number; lossSum: number }, void> {
  const { batchSize } = settings;
  const data = ctx.trainingSet;
  const order = settings.rng.permutation(data.y.length);
  const sums: EpochSums = settings.from
    ? { ...settings.from }
    : { step: 0, samples: 0, lossSum: 0, ownSamples: 0, ownLossSum: 0 };
  const stepLimit = (settings.from?.step ?? 0) + settings.maxSteps;
  let lastProgress = performance.now();
  // Samples a batch must start before: every start, or only those with a full batch after them.
  const starts = settings.dropLast ? order.length - batchSize + 1 : order.length;
  while (sums.step * batchSize < starts && sums.step < stepLimit) {
    const step = sums.step;
    const indices = order.subarray(step * batchSize, (step + 1) * batchSize);
    const batch = gather(data, indices);
    const result = settings.step({ ...ctx, step, batch, indices }, settings.optimizer, settings.taskId);
    sums.step++;
    sums.samples += result.samples;
    if (!Number.isNaN(result.loss)) {
      sums.lossSum += result.loss * result.samples;
      sums.ownSamples += batch.y.length;
      sums.ownLossSum += result.loss * batch.y.length;
      if (performance.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
        lastProgress = performance.now();
        settings.onProgress(sums.ownSamples, sums.ownLossSum);
      }
    }
    settings.afterStep?.(sums);
    yield;
  }
  return { steps: sums.step, samples: sums.samples, lossSum: sums.lossSum };
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
