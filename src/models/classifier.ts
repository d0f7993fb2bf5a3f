/**
 * What strategies train: a classifier with named trainable variables. `logits` takes the
 * task id so that multi-head models can pick their head; single-head models ignore it.
 */
import type * as tf from '../engine/tf.js';

export interface Classifier {
  readonly name: string;
  readonly numClasses: number;
  /** Logits [batch, numClasses] for a batch of samples of the model's input shape. */
  logits(x: tf.Tensor, taskId?: number): tf.Tensor2D;
  /** The trainable variables (what an optimizer updates and a regulariser penalises). */
  readonly variables: readonly tf.Variable[];
  /** Frees the variables. */
  dispose(): void;
}
