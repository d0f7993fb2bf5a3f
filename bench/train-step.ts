/**
 * One SGD training step (lr 0.01, softmax cross-entropy), the unit every engine benchmark
 * times. `tfjs` is the stock tfjs loss and optimizer; unforget's own fused versions are
 * added as they land.
 */
import * as tf from '../src/engine/tf.js';

export type StepKind = 'tfjs';
export const STEP_KINDS: readonly StepKind[] = ['tfjs'];

export type TrainStep = (x: tf.Tensor, y: tf.Tensor) => number;

/** Returns a step function that trains `model` on one batch and returns the loss (synchronised). */
export function makeTrainStep(
  model: tf.LayersModel,
  _kind: StepKind,
  learningRate = 0.01,
): { step: TrainStep; dispose(): void } {
  const optimizer = tf.train.sgd(learningRate);
  const step: TrainStep = (x, y) =>
    tf.tidy(() => {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor),
        true,
      );
      return (loss as tf.Scalar).dataSync()[0];
    });
  return { step, dispose: () => optimizer.dispose() };
}
