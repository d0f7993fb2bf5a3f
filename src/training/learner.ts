/**
 * The Learner: continual learning outside a benchmark. Examples arrive a batch at a time
 * (`learn`), each trained by the template's one step (step.ts, as `fit` trains); `predict` and
 * `evaluate` answer with what has been learnt; `endTask` marks a task boundary for the methods that
 * consolidate at one (EWC's Fisher, LwF's frozen copy, iCaRL's exemplars), and task-free methods
 * (ER, DER++, GDumb, ...) need none. New classes may arrive in any batch: the active outputs grow
 * (class-incremental, one head), up to the model's outputs; a class beyond them is refused, or,
 * with `growModel`, grows the head (models/growth.ts). `state()` / `restore()` hold
 * everything a learner goes on from (weights, optimizer, every plugin's state, the task so far),
 * so a restored learner's next steps equal the saved one's.
 */
import * as tf from '../engine/tf.js';
import { ConfigError, DataFormatError } from '../core/errors.js';
import { isRecord, StateReader, type StateRecord, type StateValue } from '../core/state.js';
import { createRng, type Rng } from '../core/random.js';
import { assertAugmentable, augmentImages, type AugmentOptions } from '../data/augment.js';
import type { Experience } from '../benchmarks/experience.js';
import type { Stream } from '../benchmarks/stream.js';
import { sampleSize, type Dataset } from '../data/dataset.js';
import type { CheckpointableOptimizer } from '../engine/optimizers/index.js';
import { restoreVariables, variablesState } from '../engine/tensor-state.js';
import { modelWeights, type Classifier } from '../models/classifier.js';
import { growOptimizerState, grownModel, modelGrowth, type ModelBuilder } from '../models/growth.js';
import { ActiveClasses, maskLogits, type ActiveOutputs } from './active-classes.js';
import { assertCheckpointable, assertCheckpointableOptimizer, assertSameStrategy } from './checkpointable.js';
import type { Batch, EvaluationContext, ExperienceContext, Plugin } from './plugin.js';
import { stepper, type StepResult } from './step.js';
import { rowsToKeep, takeRows, type ExampleMatch } from '../memory/forget.js';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { SAVED_MODEL_FORMAT, writeSavedModel, type SavedModelManifest } from '../checkpoint/learner-files.js';
import type { Strategy } from './strategy.js';
import type { FitEnd } from './fit-options.js';

export interface LearnerOptions {
  readonly model: Classifier;
  /** The method, e.g. `er({ bufferSize: 500 })`; its plugins learn with the model. */
  readonly strategy: Strategy;
  /** Makes the learner's optimizer (one for its whole life: there is no experience to reset it at). */
  readonly optimizer: () => tf.Optimizer;
  /** The shape of one example, e.g. [28, 28, 1] or [16]. */
  readonly sampleShape: readonly number[];
  /** Names of the classes, by class id (kept with the learner, returned with predictions). */
  readonly classNames?: readonly string[];
  /**
   * `seen`: outputs restricted to the classes seen so far (default); `all`: every output;
   * `evaluation`: every output trained, predictions among the classes seen (active-classes.ts).
   */
  readonly activeOutputs?: ActiveOutputs;
  /**
   * The number of tasks to expect, for methods that split a memory budget over them (A-GEM,
   * GEM: `bufferSize / tasks` per task); they refuse to learn without it.
   */
  readonly tasks?: number;
  /** Augmentation of the images each step trains on (data/augment.ts); none when absent. */
  readonly augment?: AugmentOptions;
  /** Seeds the augmentation's draws. Default 0. */
  readonly seed?: number;
  /**
   * How to build the learner again (its model's, strategy's and optimizer's configs, as plain
   * data): saved with it, so that `loadLearner(dir)` can rebuild it (learner/ composes it).
   */
  readonly description?: Readonly<Record<string, unknown>>;
  /** Whether `dispose()` frees the model too (a learner built from a config owns its model). */
  readonly ownsModel?: boolean;
  /**
   * Builds the model again with more outputs (its architecture otherwise the same, its variables
   * in the same order): a batch with a class id at or beyond the model's outputs then grows the
   * head to that id + 1 (models/growth.ts) instead of being refused. Every plugin of the strategy
   * must follow a growth (`Plugin.onModelGrown`). The grown models are the learner's own.
   */
  readonly growModel?: ModelBuilder;
}

/** The most outputs a growing head is grown to: a larger class id is taken for a mistake. */
export const MAX_GROWN_OUTPUTS = 65536;

/** Which head a multi-head model answers with (its task id); single-head models take none. */
export interface PredictOptions {
  readonly taskId?: number;
}

/** Examples as plain arrays: `x` row-major (`n * size(sampleShape)` values), `y` class ids. */
export interface LabelledExamples {
  readonly x: Float32Array | readonly number[];
  readonly y: Int32Array | readonly number[];
}

export interface Prediction {
  /** The class predicted, among the active ones. */
  readonly label: number;
  /** Its name, when the learner has class names. */
  readonly className?: string;
  /** Softmax over the active classes (0 for the others), one per model output. */
  readonly probabilities: readonly number[];
}

export interface LearnerEvaluation {
  readonly accuracy: number;
  readonly total: number;
  /** Accuracy per true class present in the data. */
  readonly perClass: Readonly<Record<number, number>>;
  /** `confusion[true][predicted]` counts, numClasses x numClasses. */
  readonly confusion: readonly (readonly number[])[];
}

export const LEARNER_STATE_FORMAT = 'unforget-learner-state/1';

export class Learner {
  readonly strategy: Strategy;
  readonly sampleShape: readonly number[];
  readonly classNames: readonly string[] | undefined;
  private readonly plugins: readonly Plugin[];
  private readonly active: ActiveClasses;
  private readonly step: (batch: Batch) => StepResult;
  private readonly experiences: Experience[] = [];
  private stream: Stream;
  private current: Classifier;
  /** Whether `dispose()` frees the current model (a config's, or one this learner grew). */
  private ownsCurrent: boolean;
  private train: ReturnType<typeof stepper>;
  /** Whether some plugin acts at task boundaries (then the task's examples are kept until `endTask`). */
  private readonly consolidates: boolean;
  private optimizer: tf.Optimizer;
  private taskChunks: { x: Float32Array; y: Int32Array }[] = [];
  private taskStarted = false;
  private learntSinceEvaluation = false;
  private steps = 0;
  private augmentRng: Rng | undefined;

  constructor(private readonly options: LearnerOptions) {
    const { model, strategy, sampleShape } = options;
    refuseUnsaveable(strategy, options);
    if (options.growModel) refuseUngrowable(strategy);
    this.current = model;
    this.ownsCurrent = options.ownsModel ?? false;
    this.strategy = strategy;
    this.sampleShape = [...sampleShape];
    this.classNames = options.classNames;
    this.plugins = strategy.plugins;
    this.consolidates = this.plugins.some((p) => p.onExperienceStart || p.onExperienceEnd);
    this.stream = {
      name: 'learner',
      scenario: 'class-il',
      experiences: this.experiences,
      numClasses: model.numClasses,
      sampleShape: this.sampleShape,
      taskIdVisibleAtTest: false,
      ...(options.tasks ? { plannedExperiences: options.tasks } : {}),
    };
    this.active = new ActiveClasses(this.stream, options.activeOutputs ?? 'seen');
    this.experiences.push(this.newExperience(0));
    this.optimizer = options.optimizer();
    this.train = this.stepperFor(model);
    const { augment } = options;
    if (augment) assertAugmentable(this.sampleShape, augment);
    if (augment) this.augmentRng = createRng(options.seed ?? 0).fork();
    const augmenting = augment
      ? {
          augment: (x: Float32Array, n: number) =>
            augmentImages(x, n, this.sampleShape, augment, this.augmentRng!),
        }
      : {};
    this.step = (batch) => {
      const activeClasses = this.active.observe(batch.y);
      const trainingSet = this.dataset(batch.x, batch.y);
      const ctx: ExperienceContext = { ...this.context(trainingSet, activeClasses) };
      const indices = Int32Array.from(batch.y.keys());
      return this.train(
        { ...ctx, epoch: 0, step: this.steps, batch, indices, ...augmenting },
        this.optimizer,
        undefined,
      );
    };
  }

  /** The model learning (a grown one after a growth). */
  get model(): Classifier {
    return this.current;
  }

  /** Optimizer steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** The classes learnt so far, sorted. */
  get seenClasses(): readonly number[] {
    return this.active.seenClasses();
  }

  /** The task under way (0-based): `endTask` calls so far. */
  get task(): number {
    return this.experiences.length - 1;
  }

  /** Trains on one batch of new examples (one optimizer step, or one observation for GDumb). */
  learn(examples: LabelledExamples): StepResult {
    refuseLiveLearning(this.strategy, this.options);
    const batch = this.batchOf(examples, 'learn', this.options.growModel !== undefined);
    const highest = batch.y.reduce((a, b) => Math.max(a, b), 0);
    if (highest >= this.model.numClasses) this.grow(highest + 1);
    if (!this.taskStarted) {
      this.taskStarted = true;
      // A live task's data is not known at its start: the plugins see an empty set.
      const ctx = this.context(this.dataset(new Float32Array(0), new Int32Array(0)), this.active.current());
      this.plugins.forEach((p) => p.onExperienceStart?.(ctx));
    }
    const result = this.step(batch);
    this.steps++;
    this.learntSinceEvaluation = true;
    if (this.consolidates)
      this.taskChunks.push({ x: Float32Array.from(batch.x), y: Int32Array.from(batch.y) });
    const experience = this.experiences[this.task];
    const classes = new Set([...experience.classes, ...batch.y]);
    this.experiences[this.task] = { ...experience, classes: [...classes].sort((a, b) => a - b) };
    return result;
  }

  /**
   * Ends the task under way: the plugins consolidate on its examples (`onExperienceEnd`) and the
   * next `learn` starts a new task. Without examples since the last boundary it does nothing.
   */
  endTask(): void {
    if (!this.taskStarted) return;
    const data = this.taskData();
    // The task's examples are its training set, as an experience's train set is in `fit`.
    const experience = { ...this.experiences[this.task], train: data };
    const ctx = { ...this.context(data, this.active.current()), experience };
    this.plugins.forEach((p) => p.onExperienceEnd?.(ctx));
    this.experiences[this.task] = {
      ...this.experiences[this.task],
      train: this.dataset(new Float32Array(0), new Int32Array(0)),
    };
    this.experiences.push(this.newExperience(this.experiences.length));
    this.taskChunks = [];
    this.taskStarted = false;
  }

  /** The predicted class of each example, with the probabilities over the active classes. */
  predict(x: Float32Array | readonly number[], options: PredictOptions = {}): Prediction[] {
    const size = sampleSize({ sampleShape: this.sampleShape });
    if (x.length % size !== 0 || x.length === 0) {
      throw new ConfigError(
        'x',
        `expected a non-empty multiple of ${size} values (examples of shape [${this.sampleShape.join(', ')}]), got ${x.length}`,
      );
    }
    const probabilities = this.probabilities(Float32Array.from(x), options.taskId);
    const n = x.length / size;
    const k = this.model.numClasses;
    return Array.from({ length: n }, (_, i) => {
      const row = Array.from(probabilities.subarray(i * k, (i + 1) * k));
      const label = row.indexOf(Math.max(...row));
      return {
        label,
        ...(this.classNames?.[label] !== undefined ? { className: this.classNames[label] } : {}),
        probabilities: row,
      };
    });
  }

  /** Accuracy, per-class accuracy and the confusion matrix on labelled examples. */
  evaluate(data: LabelledExamples, options: PredictOptions = {}): LearnerEvaluation {
    const batch = this.batchOf(data, 'evaluate');
    const k = this.model.numClasses;
    const probabilities = this.probabilities(batch.x, options.taskId);
    const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    let correct = 0;
    batch.y.forEach((label, i) => {
      const row = probabilities.subarray(i * k, (i + 1) * k);
      let best = 0;
      for (let c = 1; c < k; c++) if (row[c] > row[best]) best = c;
      confusion[label][best]++;
      if (best === label) correct++;
    });
    const perClass: Record<number, number> = {};
    confusion.forEach((row, c) => {
      const total = row.reduce((a, b) => a + b, 0);
      if (total) perClass[c] = row[c] / total;
    });
    return {
      accuracy: batch.y.length ? correct / batch.y.length : 0,
      total: batch.y.length,
      perClass,
      confusion,
    };
  }

  /**
   * Forgets stored examples: every row whose input `match` accepts leaves each plugin's memory
   * (replay buffers, exemplars, episodic memories) and the task under way's examples. What the
   * weights (and importances, anchors) learnt from them stays: only training again without them
   * undoes that. Refuses, before removing anything, a strategy with a plugin that stores examples
   * but cannot remove them. Returns the rows removed, per plugin name and `task` (the task's own).
   */
  forgetExamples(match: ExampleMatch): Record<string, number> {
    const unable = this.plugins.filter((p) => p.memoryBytes && !p.forgetExamples).map((p) => p.name);
    if (unable.length) {
      throw new ConfigError(
        'strategy',
        `${this.strategy.name} keeps examples it cannot forget (${unable.join(', ')}): deleting a user's rows needs a memory that can remove them`,
      );
    }
    const removed: Record<string, number> = {};
    for (const p of this.plugins) {
      if (p.forgetExamples) removed[p.name] = (removed[p.name] ?? 0) + p.forgetExamples(match);
    }
    const size = sampleSize({ sampleShape: this.sampleShape });
    let own = 0;
    this.taskChunks = this.taskChunks.map((chunk) => {
      const kept = rowsToKeep(chunk.x, size, chunk.y.length, match);
      own += chunk.y.length - kept.length;
      return kept.length === chunk.y.length
        ? chunk
        : { x: takeRows(chunk.x, size, kept), y: takeRows(chunk.y, 1, kept) };
    });
    removed.task = own;
    // What is computed from the memories before predicting (GDumb's retraining, iCaRL's class
    // means, the key-value memory's keys) is computed again without the removed rows.
    if (Object.values(removed).some((n) => n > 0)) this.learntSinceEvaluation = true;
    return removed;
  }

  /** Everything the learner goes on from, as plain data for a checkpoint file. */
  state(): StateRecord {
    const optimizer = this.optimizer as tf.Optimizer & CheckpointableOptimizer;
    const task = this.taskData();
    return {
      format: LEARNER_STATE_FORMAT,
      strategy: this.strategy.name,
      plugins: this.plugins.map((p) => p.name),
      steps: this.steps,
      augmentRng: this.augmentRng?.state() ?? null,
      seenClasses: Int32Array.from(this.active.seenClasses()),
      experiences: this.experiences.map((e) => Int32Array.from(e.classes)),
      taskStarted: this.taskStarted,
      task: { x: task.x, y: task.y },
      model: variablesState(modelWeights(this.model)),
      optimizer: optimizer.saveState(this.model.variables),
      evaluated: !this.learntSinceEvaluation,
      pluginStates: this.plugins.map((p) => (p.stateless ? null : (p.state?.() ?? null))),
    };
  }

  /** Puts a `state()` back into a learner made with the same model, strategy and options. */
  restore(value: StateValue, where = 'learner state'): void {
    const state = new StateReader(value, where);
    const format = state.string('format');
    if (format !== LEARNER_STATE_FORMAT) {
      throw new DataFormatError(where, `expected format ${LEARNER_STATE_FORMAT}, got ${format}`);
    }
    assertSameStrategy(
      { strategy: state.string('strategy'), plugins: state.list('plugins') as string[] },
      this.strategy.name,
      this.plugins,
    );
    restoreVariables(modelWeights(this.model), state.raw('model'), `${where}.model`);
    // A model saved from a finished run keeps no optimizer: a fresh one goes on from it.
    const optimizer = state.raw('optimizer');
    if (optimizer !== null && !isRecord(optimizer)) {
      throw new DataFormatError(`${where}.optimizer`, 'expected null or a record');
    }
    if (optimizer) {
      (this.optimizer as tf.Optimizer & CheckpointableOptimizer).loadState(this.model.variables, optimizer);
    }
    const pluginStates = state.list('pluginStates');
    this.plugins.forEach((p, k) => {
      if (!p.stateless) p.restore?.(pluginStates[k]);
    });
    this.active.restoreSeen(Array.from(state.ints('seenClasses')));
    const classes = state.list('experiences');
    this.experiences.length = 0;
    classes.forEach((c, i) => {
      if (!(c instanceof Int32Array))
        throw new DataFormatError(`${where}.experiences[${i}]`, 'expected class ids');
      this.experiences.push({ ...this.newExperience(i), classes: Array.from(c) });
    });
    if (!this.experiences.length) this.experiences.push(this.newExperience(0));
    this.steps = state.integer('steps');
    if (this.augmentRng && state.has('augmentRng')) this.augmentRng = createRng(state.integer('augmentRng'));
    this.taskStarted = state.boolean('taskStarted');
    const task = state.reader('task');
    const y = task.ints('y');
    const x = task.floats('x', y.length * sampleSize({ sampleShape: this.sampleShape }));
    this.taskChunks = y.length ? [{ x, y }] : [];
    // A model that was evaluated (GDumb retrained, the memory's keys refreshed) answers as it did.
    this.learntSinceEvaluation = !state.boolean('evaluated');
  }

  /**
   * Saves the learner into `dir` (checkpoint/learner-files.ts): the model in the TensorFlow.js
   * format where it is a tfjs-layers model, the state, and how to build it again; `loadLearner`
   * reads it back into a learner that goes on exactly as this one would.
   */
  async save(dir: string): Promise<void> {
    await saveLearnerFiles(dir, this.model, this.manifest(), this.state());
  }

  /** What unforget.json says of this learner. */
  manifest(): Omit<SavedModelManifest, 'tfjs'> {
    return {
      format: SAVED_MODEL_FORMAT,
      strategy: this.strategy.name,
      description: this.options.description ?? null,
      sampleShape: this.sampleShape,
      numClasses: this.model.numClasses,
      classNames: this.classNames ?? null,
      seenClasses: this.active.seenClasses(),
    };
  }

  /** Frees the optimizer and what the plugins hold, and the model where the learner owns it. */
  dispose(): void {
    this.optimizer.dispose();
    this.plugins.forEach((p) => p.dispose?.());
    if (this.ownsCurrent) this.model.dispose();
  }

  /**
   * Grows the head to `numClasses` outputs (models/growth.ts): a new model with the old weights,
   * every plugin's state grown with it, the optimizer's slots too (0 for the new weights).
   */
  private grow(numClasses: number): void {
    const build = this.options.growModel!;
    const previous = this.model;
    const model = grownModel(previous, build, numClasses);
    const growth = modelGrowth(previous, model, build);
    const optimizer = this.optimizer as tf.Optimizer & CheckpointableOptimizer;
    const saved = growOptimizerState(
      optimizer.saveState(previous.variables),
      previous.variables.map((v) => v.shape),
      model.variables.map((v) => v.shape),
    );
    this.plugins.forEach((p) => p.onModelGrown!(growth));
    const fresh = this.options.optimizer() as tf.Optimizer & CheckpointableOptimizer;
    fresh.loadState(model.variables, saved as StateRecord);
    optimizer.dispose();
    this.optimizer = fresh;
    if (this.ownsCurrent) previous.dispose();
    this.current = model;
    this.ownsCurrent = true;
    this.stream = { ...this.stream, numClasses };
    this.train = this.stepperFor(model);
  }

  private stepperFor(model: Classifier): ReturnType<typeof stepper> {
    return stepper(
      model,
      this.plugins,
      this.plugins.some((p) => p.observeOnly),
    );
  }

  private probabilities(x: Float32Array, taskId: number | undefined): Float32Array {
    if (this.learntSinceEvaluation) {
      // GDumb retrains from its memory, the memory-augmented learner refreshes its keys.
      const ctx: EvaluationContext = {
        stream: this.stream,
        model: this.model,
        afterExperience: this.task,
        activeClasses: this.active.current(),
      };
      this.plugins.forEach((p) => p.beforeEvaluation?.(ctx));
      this.learntSinceEvaluation = false;
    }
    const scorer = this.plugins.find((p) => p.evaluationScores);
    const active = this.active.forTest(0);
    return tf.tidy(() => {
      const input = tf.tensor(x, [
        x.length / sampleSize({ sampleShape: this.sampleShape }),
        ...this.sampleShape,
      ]);
      const scores =
        scorer?.evaluationScores?.(input, taskId, this.model) ?? this.model.logits(input, taskId);
      return tf.softmax(maskLogits(scores, active)).dataSync() as Float32Array;
    });
  }

  private batchOf(examples: LabelledExamples, field: string, growing = false): Batch {
    const size = sampleSize({ sampleShape: this.sampleShape });
    const y = Int32Array.from(examples.y);
    if (!y.length) throw new ConfigError(`${field}.y`, 'expected at least one example');
    if (examples.x.length !== y.length * size) {
      throw new ConfigError(
        `${field}.x`,
        `expected ${y.length} examples of shape [${this.sampleShape.join(', ')}] (${y.length * size} values), got ${examples.x.length} values`,
      );
    }
    const k = growing ? MAX_GROWN_OUTPUTS : this.model.numClasses;
    const bad = Array.from(examples.y).findIndex(
      (label) => !(Number.isInteger(label) && label >= 0 && label < k),
    );
    if (bad >= 0) {
      const outputs = growing
        ? `a growing head has at most ${k} outputs`
        : `the model has ${k} outputs; a learner with growModel grows them`;
      throw new ConfigError(
        `${field}.y[${bad}]`,
        `expected a class id in [0, ${k}) (${outputs}), got ${examples.y[bad]}`,
      );
    }
    return { x: Float32Array.from(examples.x), y };
  }

  private dataset(x: Float32Array, y: Int32Array): Dataset {
    return { x, y, sampleShape: this.sampleShape, numClasses: this.model.numClasses };
  }

  private taskData(): Dataset {
    const size = sampleSize({ sampleShape: this.sampleShape });
    const n = this.taskChunks.reduce((total, c) => total + c.y.length, 0);
    const x = new Float32Array(n * size);
    const y = new Int32Array(n);
    let at = 0;
    for (const chunk of this.taskChunks) {
      x.set(chunk.x, at * size);
      y.set(chunk.y, at);
      at += chunk.y.length;
    }
    return this.dataset(x, y);
  }

  private newExperience(index: number): Experience {
    const empty = this.dataset(new Float32Array(0), new Int32Array(0));
    return { index, taskId: index, train: empty, test: empty, classes: [] };
  }

  private context(trainingSet: Dataset, activeClasses: readonly number[] | undefined): ExperienceContext {
    return {
      stream: this.stream,
      experience: this.experiences[this.task],
      trainingSet,
      model: this.model,
      activeClasses,
      live: true,
    };
  }
}

/**
 * Refuses learning live with a method a live stream cannot give what it needs (a strategy from a
 * benchmark run may still be loaded to predict and evaluate).
 */
function refuseLiveLearning(strategy: Strategy, options: LearnerOptions): void {
  if (strategy.trainingSet && !strategy.replaysLive) {
    throw new ConfigError(
      'strategy',
      `${strategy.name} picks its training data per experience of a benchmark, which a learner fed batch by batch does not have`,
    );
  }
  const counting = strategy.plugins.filter((p) => p.needsTaskCount).map((p) => p.name);
  if (counting.length && !options.tasks) {
    throw new ConfigError(
      'tasks',
      `${counting.join(', ')} splits its memory over the tasks: give the number of tasks to expect`,
    );
  }
}

/** Refuses, before anything learns, a method one of whose plugins cannot follow a growing head. */
function refuseUngrowable(strategy: Strategy): void {
  const stuck = strategy.plugins.filter((p) => !p.onModelGrown).map((p) => p.name);
  if (stuck.length) {
    throw new ConfigError(
      'growModel',
      `${strategy.name} cannot grow the model's head: ${stuck.join(', ')} keeps state that does not follow new outputs (naive, er, er-ace, der, derpp, agem, gem, ewc, online-ewc, si, mas, lwf and icarl can)`,
    );
  }
}

/** Refuses, before anything learns, a method or optimizer whose state a learner could not save. */
function refuseUnsaveable(strategy: Strategy, options: LearnerOptions): void {
  assertCheckpointable(strategy.plugins);
  assertCheckpointableOptimizer(options.optimizer, 'a learner saves');
}

/** Writes a saved model's folder: the tfjs model files (when the model has them), then the state and the manifest. */
export async function saveLearnerFiles(
  dir: string,
  model: Classifier,
  manifest: Omit<SavedModelManifest, 'tfjs'>,
  state: StateValue,
): Promise<void> {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  if (model.layersModel) await model.layersModel.save(`file://${folder}`);
  writeSavedModel(folder, { ...manifest, tfjs: model.layersModel ? 'model.json' : null }, state);
}

/**
 * The state of a learner that goes on from where a fit ended (a run's saved model): the fit's
 * plugin states and classes seen, the stream's experiences as its past tasks, no optimizer state
 * (a fresh one learns on), and evaluated, as the run's last evaluation left the model.
 */
export function stateAfterFit(end: FitEnd, model: Classifier, stream: Stream): StateRecord {
  return {
    format: LEARNER_STATE_FORMAT,
    strategy: end.strategy,
    plugins: [...end.plugins],
    steps: end.steps,
    augmentRng: null,
    seenClasses: Int32Array.from(end.seenClasses),
    experiences: [...stream.experiences.map((e) => Int32Array.from(e.classes)), new Int32Array(0)],
    taskStarted: false,
    task: { x: new Float32Array(0), y: new Int32Array(0) },
    model: variablesState(modelWeights(model)),
    optimizer: null,
    evaluated: true,
    pluginStates: [...end.pluginStates],
  };
}
