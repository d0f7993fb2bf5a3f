/**
 * What strategies train: a classifier with named trainable variables. `logits` takes the
 * task id so that multi-head models can pick their head (single-head models ignore it) and
 * whether it runs for a training step (Dropout active, BatchNorm on the batch's statistics and
 * moving its averages) or for inference, the default.
 */
import type * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';

export interface Classifier {
  readonly name: string;
  readonly numClasses: number;
  /** True when `logits` depends on the task id (a head per task); single-head models ignore it. */
  readonly multiHead?: boolean;
  /**
   * Logits [batch, numClasses] for a batch of samples of the model's input shape. `training`:
   * the forward pass of a training step (default false: inference).
   */
  logits(x: tf.Tensor, taskId?: number, training?: boolean): tf.Tensor2D;
  /**
   * The representation the output layer reads, [batch, featureSize] (an MLP's last hidden layer),
   * for methods that classify or distil in feature space (iCaRL's nearest mean of exemplars).
   */
  features?(x: tf.Tensor, taskId?: number): tf.Tensor2D;
  /**
   * `features(x)` and `logits(x)` (inference) from one forward pass, each equal bit for bit to
   * what the two calls give; for models whose output layer reads the features directly. Those
   * that need both (the service's personal heads) then pay for the trunk once.
   */
  featuresAndLogits?(x: tf.Tensor): { features: tf.Tensor2D; logits: tf.Tensor2D };
  /** The trainable variables (what an optimizer updates and a regulariser penalises). */
  readonly variables: readonly tf.Variable[];
  /**
   * Variables that are the model's state without being trained (BatchNorm's moving mean and
   * variance): saved by checkpoints and save, copied into frozen copies, with the weights.
   */
  readonly stateVariables?: readonly tf.Variable[];
  /**
   * The tfjs-layers model it runs, where it is one (its weights are the classifier's): what a
   * saved model writes in the TensorFlow.js format, for plain `tf.loadLayersModel` to read.
   */
  readonly layersModel?: tf.LayersModel;
  /**
   * Optional, exact per-sample gradient statistics for a whole batch: per `variables` entry (same
   * order and shapes), `sum_n |g_n|^power`, g_n the gradient of sample n's loss wrt that variable,
   * where `outputGradient(logits)` returns dLoss_n / dlogits_n for every row (a constant).
   * Variables a sample does not reach (other heads) get zeros. Strategies that need per-sample
   * gradients (Fisher, MAS) use it when present and fall back to one backward per sample.
   */
  perSampleGradientSums?(
    x: tf.Tensor,
    taskId: number | undefined,
    outputGradient: (logits: tf.Tensor2D) => tf.Tensor2D,
    power: 1 | 2,
  ): tf.Tensor[];
  /** Frees the variables. */
  dispose(): void;
}

/** The model's trainable variables, then its state variables: everything that makes it what it is. */
export function modelWeights(model: Classifier): readonly tf.Variable[] {
  return model.stateVariables?.length ? [...model.variables, ...model.stateVariables] : model.variables;
}

/** Copies `from`'s weights and state into `to`, a model of the same architecture (from `copyModel`). */
export function copyWeights(from: Classifier, to: Classifier): void {
  const source = modelWeights(from);
  const target = modelWeights(to);
  if (source.length !== target.length) {
    throw new ConfigError(
      'copyModel',
      `expected a model with ${source.length} variables, got ${target.length}`,
    );
  }
  target.forEach((v, i) => v.assign(source[i]));
}
