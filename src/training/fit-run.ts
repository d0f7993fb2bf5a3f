/**
 * What one `fit` keeps while it trains, shared by its offline path (experience-loop.ts) and its
 * online path (online-template.ts): the events emitted so far, the active classes, evaluation, the
 * step, the optimizers, the steps counted, and checkpoints (when one is due, what it holds, and
 * putting one back). The paths decide what to train in which order; this holds the rest.
 */
import type * as tf from '../engine/tf.js';
import { BASELINE_EVALUATION, type TrainingEvent } from '../core/events.js';
import { ConfigError } from '../core/errors.js';
import { createRng, type Rng } from '../core/random.js';
import type { StateValue } from '../core/state.js';
import type { CheckpointableOptimizer } from '../engine/optimizers/index.js';
import { restoreVariables, variablesState } from '../engine/tensor-state.js';
import { FIT_CHECKPOINT_FORMAT, type FitCheckpoint, type TrainingPosition } from '../checkpoint/fit-state.js';
import { assertCheckpointable, assertCheckpointableOptimizer, assertSameStrategy } from './checkpointable.js';
import { modelWeights } from '../models/classifier.js';
import { augmentImages } from '../data/augment.js';
import { ActiveClasses } from './active-classes.js';
import { DriftWatch } from './drift-watch.js';
import { evaluate } from './evaluate.js';
import type { Plugin } from './plugin.js';
import { stepper, type Stepper } from './step.js';
import type { FitOptions } from './fit-options.js';

/** Thrown by `fit` after it saved a checkpoint because `stopRequested` said so. */
export class RunInterrupted extends Error {
  constructor(readonly checkpoint: FitCheckpoint) {
    super(
      `training stopped on request after ${checkpoint.steps} steps (experience ${checkpoint.position.experience}); a checkpoint was saved`,
    );
    this.name = 'RunInterrupted';
  }
}

export class FitRun {
  readonly name: string;
  readonly plugins: readonly Plugin[];
  readonly events: TrainingEvent[] = [];
  readonly active: ActiveClasses;
  readonly step: Stepper;
  /** An observing plugin (GDumb) trains elsewhere: the stream is shown to it once, with no steps. */
  readonly observeOnly: boolean;
  private rng: Rng;
  private steps = 0;
  private started = performance.now();
  /** The run's one optimizer (`resetOptimizer: false`, or an online stream), made on first use. */
  private shared: tf.Optimizer | undefined;
  /** The optimizer of the experience training now, when it is its own. */
  private current: tf.Optimizer | undefined;
  /** The optimizer a checkpoint restored for the experience it stood in. */
  private restored: tf.Optimizer | undefined;
  private readonly scorer: Plugin | undefined;
  /** Draws the augmentation of the stream's training rows (its own generator: the batch orders stay as they are). */
  private augmentRng: Rng | undefined;
  /** The stream's augmentation for a step's rows (data/augment.ts); undefined when it has none. */
  readonly augment: ((x: Float32Array, count: number) => Float32Array) | undefined;
  /** An online run's drift detector on its prequential error (`options.drift`); undefined: none. */
  readonly drift: DriftWatch | undefined;

  constructor(readonly options: FitOptions) {
    this.name = options.name ?? 'custom';
    this.plugins = options.plugins ?? [];
    this.active = new ActiveClasses(options.stream, options.activeOutputs ?? 'seen');
    this.observeOnly = this.plugins.some((p) => p.observeOnly);
    this.step = stepper(options.model, this.plugins, this.observeOnly);
    this.scorer = this.plugins.find((p) => p.evaluationScores);
    this.rng = createRng(options.seed ?? 0);
    const { augment, sampleShape } = options.stream;
    if (augment) {
      this.augmentRng = createRng(options.seed ?? 0).fork();
      this.augment = (x, count) => augmentImages(x, count, sampleShape, augment, this.augmentRng!);
    }
    this.drift = options.drift ? new DriftWatch(options.drift) : undefined;
    if (options.checkpoint || options.resume) refuseUncheckpointable(options);
  }

  emit(event: TrainingEvent): void {
    this.events.push(event);
    this.options.onEvent?.(event);
  }

  /** `beforeEvaluation` hooks and the methods' metrics (not for the baseline), then the `evaluation` event. */
  evaluateAfter(afterExperience: number): void {
    const { stream, model } = this.options;
    if (afterExperience !== BASELINE_EVALUATION) {
      const ctx = { stream, model, afterExperience, activeClasses: this.active.current() };
      this.plugins.forEach((p) => p.beforeEvaluation?.(ctx));
      for (const p of this.plugins) {
        const values = p.metrics?.(ctx);
        if (values) this.emit({ type: 'method-metrics', plugin: p.name, afterExperience, values });
      }
    }
    const scorer = this.scorer;
    this.emit(
      evaluate({
        stream,
        model,
        afterExperience,
        batchSize: this.options.evalBatchSize,
        activeClasses: (tested) => this.active.forTest(tested),
        ...(scorer
          ? { scores: (x, taskId) => scorer.evaluationScores?.(x, taskId, model) ?? model.logits(x, taskId) }
          : {}),
      }),
    );
  }

  /** A fresh run: `run-start` and the untrained model's evaluation; training starts at experience 0. */
  begin(): TrainingPosition {
    const { stream } = this.options;
    this.emit({
      type: 'run-start',
      strategy: this.name,
      stream: { numExperiences: stream.experiences.length, scenario: stream.scenario },
    });
    if (this.options.evaluateBaseline ?? true) this.evaluateAfter(BASELINE_EVALUATION);
    return { experience: 0 };
  }

  /**
   * A run continued from `checkpoint`: model, plugins, seen classes, generator, optimizer and
   * events put back; returns where training continues.
   */
  resume(checkpoint: FitCheckpoint): TrainingPosition {
    const { stream, model } = this.options;
    assertSameStrategy(checkpoint, this.name, this.plugins);
    const { position } = checkpoint;
    if (position.experience < 0 || position.experience >= stream.experiences.length) {
      throw new ConfigError(
        'resume',
        `the checkpoint stands at experience ${position.experience}; the stream has ${stream.experiences.length}`,
      );
    }
    restoreVariables(modelWeights(model), checkpoint.model as StateValue, 'checkpoint model');
    this.plugins.forEach((p, k) => {
      if (!p.stateless) p.restore?.(checkpoint.pluginStates[k]);
    });
    this.active.restoreSeen(checkpoint.seenClasses);
    this.rng = createRng(checkpoint.rng);
    if (this.augmentRng && checkpoint.augmentRng !== null) this.augmentRng = createRng(checkpoint.augmentRng);
    if (this.drift) {
      if (checkpoint.drift === null) {
        throw new ConfigError(
          'drift',
          'the checkpoint holds no drift detector state (its run watched no drift): resume without drift',
        );
      }
      this.drift.restore(checkpoint.drift);
    }
    this.events.push(...checkpoint.events);
    this.steps = checkpoint.steps;
    this.started = performance.now() - checkpoint.seconds * 1000;
    if (checkpoint.optimizer) {
      const optimizer = this.options.optimizer();
      (optimizer as tf.Optimizer & CheckpointableOptimizer).loadState(model.variables, checkpoint.optimizer);
      if (this.sharesOptimizer) this.shared = optimizer;
      else this.restored = optimizer;
    }
    return position;
  }

  /** True when one optimizer serves the whole run: `resetOptimizer: false`, or an online stream. */
  private get sharesOptimizer(): boolean {
    return this.options.resetOptimizer === false || this.options.stream.online !== undefined;
  }

  /**
   * The optimizer an experience trains with: the run's one where it has one, the one a checkpoint
   * restored when the experience resumes, else a fresh one (momentum and Adam's moments never
   * carry over from one experience to the next, as in Avalanche's default).
   */
  optimizerFor(resuming: boolean): tf.Optimizer {
    if (this.sharesOptimizer) return (this.shared ??= this.options.optimizer());
    const restored = resuming ? this.restored : undefined;
    this.restored = undefined;
    return (this.current = restored ?? this.options.optimizer());
  }

  /** After an experience: its own optimizer is freed (the run's one lives on). */
  endExperience(): void {
    this.current?.dispose();
    this.current = undefined;
  }

  /** The state of a new generator for an epoch's batch order. */
  epochSeed(): number {
    return this.rng.fork().state();
  }

  /**
   * After every step: counts it, and saves a checkpoint (positioned by `at`) when one is due or a
   * stop was requested; a requested stop then ends the run with `RunInterrupted`.
   */
  afterStep(optimizer: tf.Optimizer, at: () => TrainingPosition): void {
    this.steps++;
    const checkpointing = this.options.checkpoint;
    if (!checkpointing) return;
    const every = checkpointing.everySteps ?? 0;
    const stop = checkpointing.stopRequested?.() ?? false;
    if (!stop && !(every > 0 && this.steps % every === 0)) return;
    this.save(at(), optimizer, stop);
  }

  /** Between experiences (none after the last): a checkpoint, and a requested stop honoured. */
  afterExperience(next: number): void {
    const checkpointing = this.options.checkpoint;
    if (!checkpointing || next >= this.options.stream.experiences.length) return;
    this.save({ experience: next }, this.shared, checkpointing.stopRequested?.() ?? false);
  }

  private save(at: TrainingPosition, optimizer: tf.Optimizer | undefined, stop: boolean): void {
    const checkpoint = this.snapshot(at, optimizer);
    this.options.checkpoint!.save(checkpoint);
    if (stop) throw new RunInterrupted(checkpoint);
  }

  /** A checkpoint of the run as it stands, with `at` as the next thing to do. */
  private snapshot(at: TrainingPosition, optimizer: tf.Optimizer | undefined): FitCheckpoint {
    const { model } = this.options;
    return {
      format: FIT_CHECKPOINT_FORMAT,
      strategy: this.name,
      plugins: this.plugins.map((p) => p.name),
      position: at,
      rng: this.rng.state(),
      augmentRng: this.augmentRng?.state() ?? null,
      drift: this.drift?.state() ?? null,
      seenClasses: this.active.seenClasses(),
      events: [...this.events],
      model: variablesState(modelWeights(model)),
      optimizer: optimizer
        ? (optimizer as tf.Optimizer & CheckpointableOptimizer).saveState(model.variables)
        : null,
      pluginStates: this.plugins.map((p) => (p.stateless ? null : (p.state?.() ?? null))),
      seconds: this.seconds(),
      steps: this.steps,
    };
  }

  /** Wall-clock seconds of training so far, a resumed run's earlier ones included. */
  seconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** The end of the run: `run-end` (with the methods' memory), everything freed; returns every event. */
  finish(): TrainingEvent[] {
    this.shared?.dispose();
    const stored = this.plugins.filter((p) => p.memoryBytes);
    this.emit({
      type: 'run-end',
      seconds: this.seconds(),
      ...(stored.length
        ? { methodMemoryBytes: stored.reduce((n, p) => n + (p.memoryBytes?.() ?? 0), 0) }
        : {}),
    });
    this.options.onFinish?.({
      strategy: this.name,
      plugins: this.plugins.map((p) => p.name),
      pluginStates: this.plugins.map((p) => (p.stateless ? null : (p.state?.() ?? null))),
      seenClasses: this.active.seenClasses(),
      steps: this.steps,
    });
    this.plugins.forEach((p) => p.dispose?.());
    return this.events;
  }

  /** A run stopped by a request or an error frees what it holds; a resume starts from fresh objects. */
  abandon(): void {
    [this.current, this.restored, this.shared].forEach((optimizer) => optimizer?.dispose());
    this.plugins.forEach((p) => p.dispose?.());
  }
}

/** Refuses to checkpoint (or resume) what cannot be saved, before anything trains. */
function refuseUncheckpointable(options: FitOptions): void {
  assertCheckpointable(options.plugins ?? []);
  assertCheckpointableOptimizer(options.optimizer, 'a checkpoint can save');
  const every = options.checkpoint?.everySteps;
  if (every !== undefined && !(Number.isInteger(every) && every >= 0)) {
    throw new ConfigError('checkpoint.everySteps', `expected an integer >= 0, got ${every}`);
  }
}
