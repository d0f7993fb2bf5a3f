/**
 * What strategies train: a classifier with named trainable variables. `logits` takes the
 * task id so that multi-head models can pick their head; single-head models ignore it.
 */
import type * as tf from '../engine/tf.js';

export interface Classifier {
  readonly name: string;
  readonly numClasses: number;
  /** True when `logits` depends on the task id (a head per task); single-head models ignore it. */
  readonly multiHead?: boolean;
  /** Logits [batch, numClasses] for a batch of samples of the model's input shape. */
  logits(x: tf.Tensor, taskId?: number): tf.Tensor2D;
  /**
   * The representation the output layer reads, [batch, featureSize] (an MLP's last hidden layer),
   * for methods that classify or distil in feature space (iCaRL's nearest mean of exemplars).
   */
  features?(x: tf.Tensor, taskId?: number): tf.Tensor2D;
  /** The trainable variables (what an optimizer updates and a regulariser penalises). */
  readonly variables: readonly tf.Variable[];
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
