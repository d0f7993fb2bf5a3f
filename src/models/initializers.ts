/**
 * Seeded weight initialisers for the convolutional models (cnn.ts, resnet.ts): one seed per
 * weight, drawn in build order from the model's seed, so the same seed gives the same model.
 */
import * as tf from '../engine/tf.js';
import { createRng } from '../core/random.js';
import { ConfigError } from '../core/errors.js';

/**
 * `glorot`: Glorot-uniform kernels and zero biases (tfjs/Keras's default); `fan-in-uniform`:
 * kernels and biases uniform in +-1/sqrt(fan-in), fan-in = kernel height x width x input channels
 * for a convolution (PyTorch's nn.Conv2d and nn.Linear default, which GEM's and Mammoth's ResNets
 * train from).
 */
export type WeightInit = 'glorot' | 'fan-in-uniform';

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

export interface SeededInitializers {
  kernel(fanIn: number): Initializer;
  bias(fanIn: number): Initializer | 'zeros';
}

/** Initialisers of `init`, each with the next seed of a stream derived from `seed`. */
export function seededInitializers(init: WeightInit, seed: number): SeededInitializers {
  const rng = createRng(seed);
  const next = () => rng.int(2 ** 31);
  const uniform = (fanIn: number) => {
    const limit = 1 / Math.sqrt(fanIn);
    return tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed: next() });
  };
  return init === 'glorot'
    ? { kernel: () => tf.initializers.glorotUniform({ seed: next() }), bias: () => 'zeros' }
    : { kernel: uniform, bias: uniform };
}

/** Checks a model's seed, input shape [height, width, channels] and class count. */
export function validateImageModel(
  where: string,
  options: { inputShape: readonly number[]; numClasses: number; seed?: number },
): void {
  const positive = (v: number) => Number.isInteger(v) && v > 0;
  if (options.inputShape.length !== 3 || !options.inputShape.every(positive)) {
    throw new ConfigError(
      `${where}.inputShape`,
      `expected [height, width, channels] of positive integers, got [${options.inputShape.join(', ')}]`,
    );
  }
  if (!positive(options.numClasses)) {
    throw new ConfigError(`${where}.numClasses`, `expected a positive integer, got ${options.numClasses}`);
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed)) {
    throw new ConfigError(`${where}.seed`, `expected an integer, got ${options.seed}`);
  }
}
