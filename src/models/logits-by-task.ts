/**
 * The logits of rows that belong to several tasks, in their order: what a multi-head model needs
 * when one batch mixes tasks (replayed rows, a multi-task training set).
 */
import * as tf from '../engine/tf.js';
import type { Classifier } from './classifier.js';

/**
 * The model's logits on rows of several tasks, in their order: a single-head model in one pass
 * (given the first row's task id), a multi-head one per task id, each row through its own head.
 * `training`: as `Classifier.logits`.
 */
export function logitsByTask(
  model: Classifier,
  x: tf.Tensor,
  taskIds: Int32Array,
  training = false,
): tf.Tensor2D {
  if (!model.multiHead) return model.logits(x, taskIds[0], training);
  const tasks = [...new Set(taskIds)];
  const members = tasks.map((t) => Array.from(taskIds.keys()).filter((r) => taskIds[r] === t));
  const grouped = tasks.map((t, k) =>
    model.logits(tf.gather(x, tf.tensor1d(members[k], 'int32')), t, training),
  );
  const order = members.flat();
  // Row `order[k]` sits at position k of the concatenation: gather by the inverse permutation.
  const inverse = new Int32Array(order.length);
  order.forEach((r, k) => (inverse[r] = k));
  return tf.gather(tf.concat(grouped, 0), tf.tensor1d(inverse, 'int32')) as tf.Tensor2D;
}
