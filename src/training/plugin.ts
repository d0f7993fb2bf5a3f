/**
 * The plugin interface: how a continual-learning method hooks into the training template
 * (`fit`, template.ts). A plugin is a plain object with a `name` and optional hooks, in the
 * spirit of Avalanche's plugins and vitest's reporters, with one difference from Avalanche:
 * a plugin never mutates the strategy. It keeps its own state in its closure (an EWC plugin
 * its Fisher matrix, a replay plugin its buffer) and *returns* what it adds to training
 * (`lossTerms`, `extraBatch`); the template composes the contributions of all plugins, so
 * their order does not matter and `[replay(), lwf()]` just works.
 */
import type * as tf from '../engine/tf.js';
import type { Experience } from '../benchmarks/experience.js';
import type { Stream } from '../benchmarks/stream.js';
import type { Dataset } from '../data/dataset.js';
import type { Classifier } from '../models/classifier.js';
import type { ModelGrowth } from '../models/growth.js';
import type { StateValue } from '../core/state.js';
import type { ExampleMatch } from '../memory/forget.js';

/** What every hook sees: the run and the experience being trained on. */
export interface ExperienceContext {
  readonly stream: Stream;
  readonly experience: Experience;
  /** The data trained on at this experience (the experience's train set unless the strategy says otherwise). */
  readonly trainingSet: Dataset;
  readonly model: Classifier;
  /**
   * The output units the model may use while training on this experience (active-classes.ts):
   * the classes seen so far in class-IL, the task's classes in task-IL; `undefined`: all.
   * The template already masks the logits it hands to `lossTerms`; methods that run the model
   * themselves (a Fisher, an importance) restrict to these classes likewise.
   */
  readonly activeClasses: readonly number[] | undefined;
  /**
   * True on a live stream (a Learner): the experience's data arrives batch by batch, so
   * `trainingSet` is the step's batch (empty at `onExperienceStart`, the task's examples at
   * `onExperienceEnd`) and no training-set selector ran.
   */
  readonly live?: boolean;
}

/** An epoch-level hook's view: the experience context and the 0-based epoch within it. */
export interface EpochContext extends ExperienceContext {
  readonly epoch: number;
}

/** A step-level view: the epoch context and the 0-based step within the epoch. */
export interface StepContext extends EpochContext {
  readonly step: number;
  /** The current mini-batch from the training set, before any replayed samples are added. */
  readonly batch: Batch;
  /** Where the batch's samples sit in `trainingSet` (e.g. to look up values computed once per experience). */
  readonly indices: Int32Array;
  /**
   * The stream's augmentation (`Stream.augment`), for rows a plugin feeds the model itself
   * (replayed examples): `count` samples in, augmented copies out, drawn from the run's
   * augmentation generator. The template applies it to the batch and the extra rows already.
   * Absent: no augmentation.
   */
  readonly augment?: (x: Float32Array, count: number) => Float32Array;
}

/** What `lossTerms` sees: the batch as tensors (replayed samples included) and the model's logits on it. */
export interface LossContext extends StepContext {
  /** Inputs [batch, ...sampleShape]. */
  readonly x: tf.Tensor;
  /** One-hot labels [batch, numClasses]. */
  readonly labels: tf.Tensor2D;
  /**
   * The model's logits on `x`, computed once per step and shared by the loss and every plugin;
   * inactive units (see `activeClasses`) hold INACTIVE_LOGIT, so a softmax over them is 0.
   */
  readonly logits: tf.Tensor2D;
  /** The same logits before masking: every unit's value. */
  readonly unmaskedLogits: tf.Tensor2D;
  /** The task id the model was given for this step, if any. */
  readonly taskId: number | undefined;
  /**
   * The task id of every row of `x`: a row's own where its batch is tagged (`Batch.taskIds`:
   * replayed rows, or a training set that mixes tasks), else the experience's. A multi-task
   * loss groups rows by it.
   */
  readonly rowTaskIds: Int32Array;
}

/** After a step: the context and the step's total loss (cross-entropy plus every plugin term). */
export interface StepEndContext extends StepContext {
  readonly loss: number;
}

/** Inside a step, after the gradients and before the optimizer applies them. */
export interface GradientContext extends StepContext {
  /**
   * The gradient of the step's total loss (cross-entropy plus every plugin's terms), one per
   * `model.variables` entry (undefined where a variable got none). Freed after the step: keep a
   * clone to use them later.
   */
  readonly grads: readonly (tf.Tensor | undefined)[];
}

/** What `beforeEvaluation` sees: the run, the model, and the evaluation about to happen. */
export interface EvaluationContext {
  readonly stream: Stream;
  readonly model: Classifier;
  /** The experience just trained on (in an online run: the segment of the stream just delivered). */
  readonly afterExperience: number;
  /** The output units the model may use now (the classes seen so far in class-IL); `undefined`: all. */
  readonly activeClasses: readonly number[] | undefined;
}

/** Samples as plain typed arrays, row-major as in `Dataset`. */
export interface Batch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  /**
   * The task id of each row, when the rows come from other experiences (a replay buffer, or a
   * training set that mixes tasks, `Dataset.taskIds`): in task-IL a plugin's extra rows are then
   * each restricted to their own task's classes, not the current task's.
   */
  readonly taskIds?: Int32Array;
}

/**
 * A continual-learning method, or a piece of one. Every member except `name` is optional;
 * hooks come in start/end pairs and are called in the order the plugins were given.
 */
export interface Plugin {
  /** Shown in logs and used to tell plugins apart, e.g. `ewc` or `replay`. */
  readonly name: string;

  /**
   * A Learner grew the model's head (models/growth.ts: more outputs, the old ones unchanged):
   * state shaped by the model (per-variable tensors, stored logits, frozen copies) grows with it.
   * A Learner refuses to grow a strategy with a plugin that lacks this hook; a plugin whose state
   * does not depend on the outputs implements it as doing nothing.
   */
  onModelGrown?(growth: ModelGrowth): void;

  /** Before the first epoch on an experience (e.g. snapshot the model for distillation). */
  onExperienceStart?(ctx: ExperienceContext): void;
  /** After the last epoch on an experience, before evaluation (e.g. compute a Fisher matrix, fill a buffer). */
  onExperienceEnd?(ctx: ExperienceContext): void;
  /** Before each epoch. */
  onEpochStart?(ctx: EpochContext): void;
  /** After each epoch. */
  onEpochEnd?(ctx: EpochContext): void;
  /** After each optimizer step, outside the step's `tf.tidy` (e.g. store the batch in a replay buffer). */
  onStepEnd?(ctx: StepEndContext): void;
  /**
   * Sees the gradients the optimizer is about to apply (after every `transformGradients`), e.g.
   * SI's path integral; must not change them.
   */
  onGradients?(ctx: GradientContext): void;
  /**
   * Replaces the step's gradients before they are applied (A-GEM's and GEM's projections):
   * returns new gradients in `ctx.grads`' order and shapes, or `null` to keep them. Runs inside
   * the step's `tf.tidy`; plugins that transform run in the order given, each seeing the
   * previous one's result.
   */
  transformGradients?(ctx: GradientContext): (tf.Tensor | undefined)[] | null;
  /**
   * Replaces the template's loss on the step's batch (softmax cross-entropy of `ctx.logits`
   * against `ctx.labels`), e.g. ER-ACE's asymmetric cross-entropy or iCaRL's binary
   * cross-entropy. At most one plugin of a strategy may define it; `lossTerms` are still added.
   */
  baseLoss?(ctx: LossContext): tf.Scalar;
  /**
   * True for a plugin that only watches the stream (GDumb fills its memory and retrains in
   * `beforeEvaluation`): the template then takes no optimizer step on the stream's batches and
   * makes one pass over each experience's data, calling `onStepEnd` (with loss NaN) per batch.
   */
  readonly observeOnly?: boolean;
  /**
   * True for a plugin that works without experience boundaries: only such plugins may train on
   * an online (task-free) stream, where `onExperienceStart` / `onExperienceEnd` / epoch hooks
   * are never called.
   */
  readonly taskFree?: boolean;
  /**
   * True for a plugin that splits a budget over the stream's experiences (A-GEM's and GEM's
   * memory: `bufferSize / T` per experience); a live stream must announce T
   * (`Stream.plannedExperiences`, the Learner's `tasks`).
   */
  readonly needsTaskCount?: boolean;
  /** Before every evaluation, e.g. GDumb's retraining from its memory. */
  beforeEvaluation?(ctx: EvaluationContext): void;
  /**
   * The scores evaluation ranks classes by instead of the model's logits, [batch, numClasses]
   * (iCaRL's nearest-mean-of-exemplars classifier), or `null` for the logits. Inactive classes
   * are still masked. At most one plugin of a strategy may define it.
   */
  evaluationScores?(x: tf.Tensor, taskId: number | undefined, model: Classifier): tf.Tensor2D | null;

  /**
   * Extra loss terms for this step, e.g. an EWC penalty or a distillation loss. Called inside
   * `optimizer.minimize` (so gradients flow through the terms) and inside the step's `tf.tidy`
   * (so intermediate tensors are freed): return scalars, do not keep them.
   */
  lossTerms?(ctx: LossContext): tf.Scalar[];
  /**
   * Samples to train on alongside the current batch, e.g. replayed from a buffer; `null` when
   * there are none (yet). They are concatenated to the batch before the forward pass, so they
   * share the batch's loss and count in the epoch's `samples`. Must match the stream's sample shape.
   */
  extraBatch?(ctx: StepContext): Batch | null;
  /**
   * Numbers the method measures about itself (e.g. each task's estimated importance), reported
   * after each experience as a `method-metrics` event (after `beforeEvaluation`, before the
   * evaluation), so they form a series over the run; `null` when there is nothing to report yet.
   */
  metrics?(ctx: EvaluationContext): Readonly<Record<string, number>> | null;
  /**
   * Bytes of the examples the method stores (a replay buffer, exemplars): what its memory budget
   * costs. Reported in `run-end` as `methodMemoryBytes`, summed over the plugins.
   */
  memoryBytes?(): number;
  /**
   * Removes the stored examples whose input `match` accepts (a user's data deleted: memory/forget.ts)
   * and returns how many it removed. A plugin that stores examples (`memoryBytes`) must define it:
   * a Learner refuses to forget with one that does not, rather than keep rows it was told to drop.
   */
  forgetExamples?(match: ExampleMatch): number;
  /** After the run (`run-end`): free the tensors the plugin kept (importances, anchors, frozen models). */
  dispose?(): void;

  /**
   * Everything the plugin keeps across steps that the rest of the run depends on (importances,
   * anchors, a frozen model's weights, stored examples, its random generators' states), as plain
   * data for a checkpoint (core/state.ts). Called between steps or experiences, never inside one.
   */
  state?(): StateValue;
  /**
   * Puts a `state()` back into a fresh plugin made with the same options, before training resumes;
   * throws (naming the field) on a state that does not fit those options.
   */
  restore?(state: StateValue): void;
  /**
   * True for a plugin that keeps nothing across steps (all it uses is recomputed from the context),
   * so a checkpoint needs nothing of it. A checkpointed run refuses a plugin that neither declares
   * this nor defines `state` and `restore`: it would resume wrong without a word.
   */
  readonly stateless?: boolean;
}
