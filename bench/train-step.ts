/**
 * One SGD training step (lr 0.01, softmax cross-entropy), the unit every engine benchmark
 * times, in two flavours:
 *   - `unforget`: unforget's fused softmax cross-entropy and in-place SGD (what unforget's
 *     training uses; the default);
 *   - `tfjs`: the stock tf.losses.softmaxCrossEntropy and tf.train.sgd.
 */
import * as tf from '../src/engine/tf.js';
import { softmaxCrossEntropy } from '../src/engine/losses.js';
import { sgd } from '../src/engine/optimizers/index.js';

export type StepKind = 'unforget' | 'tfjs';
export const STEP_KINDS: readonly StepKind[] = ['unforget', 'tfjs'];

export type TrainStep = (x: tf.Tensor, y: tf.Tensor) => number;

/** Returns a step function that trains `model` on one batch and returns the loss (synchronised). */
export function makeTrainStep(
  model: tf.LayersModel,
  kind: StepKind,
  learningRate = 0.01,
): { step: TrainStep; dispose(): void } {
  const optimizer = kind === 'unforget' ? sgd({ learningRate }) : tf.train.sgd(learningRate);
  const loss =
    kind === 'unforget'
      ? softmaxCrossEntropy
      : (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  const step: TrainStep = (x, y) =>
    tf.tidy(() => {
      // A training forward pass: BatchNorm on the batch's statistics (PyTorch's model.train()).
      const value = optimizer.minimize(() => loss(y, model.apply(x, { training: true }) as tf.Tensor), true);
      return (value as tf.Scalar).dataSync()[0];
    });
  return { step, dispose: () => optimizer.dispose() };
}
