/**
 * A quick training-speed probe on the current backend (`npm start`): an MLP built from
 * unforget's fused dense layers, trained with its fused loss and in-place SGD.
 */
import * as tf from '../engine/tf.js';
import { softmaxCrossEntropy } from '../engine/losses.js';
import { sgd } from '../engine/optimizers/index.js';
import { fusedDense } from '../models/layers/fused-dense.js';

export interface SpeedCheck {
  samplesPerSecond: number;
  steps: number;
  firstLoss: number;
  lastLoss: number;
}

export function measureTrainingSpeed(opts: { hidden: number; batchSize: number; steps: number }): SpeedCheck {
  const { hidden, batchSize, steps } = opts;
  const model = tf.sequential({
    layers: [
      fusedDense({ inputShape: [784], units: hidden, activation: 'relu' }),
      fusedDense({ units: hidden, activation: 'relu' }),
      fusedDense({ units: 10 }),
    ],
  });
  const x = tf.randomNormal([batchSize, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([batchSize], 0, 10, 'int32', 2), 10);
  const optimizer = sgd({ learningRate: 0.05 });
  const step = () =>
    tf.tidy(() => {
      const loss = optimizer.minimize(() => softmaxCrossEntropy(y, model.apply(x) as tf.Tensor), true);
      return (loss as tf.Scalar).dataSync()[0];
    });
  const firstLoss = step();
  let lastLoss = firstLoss;
  const t0 = performance.now();
  for (let i = 1; i < steps; i++) lastLoss = step();
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return { samplesPerSecond: ((steps - 1) * batchSize) / seconds, steps, firstLoss, lastLoss };
}
