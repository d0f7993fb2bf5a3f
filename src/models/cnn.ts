/**
 * `cnn`: a plain convolutional classifier for images [height, width, channels]: one block per
 * entry of `filters`, each a `kernelSize` x `kernelSize` convolution (stride 1, `same` padding),
 * BatchNorm when asked (epsilon 1e-5; the convolution then has no bias), ReLU and a 2x2 pooling of stride 2
 * (max, average or none); then the flattened maps through dense ReLU layers of `hiddenSizes`
 * (Dropout of rate `dropout` before each dense layer, the output's included) and a linear output.
 * Built with tfjs-layers layers (dense ones fused) and seeded: the same seed gives the same weights.
 *
 * Dropout draws its masks from tfjs's unseeded random numbers: with `dropout > 0` training is not
 * reproducible run to run (nor resumable bit for bit); its default is 0.
 */
import * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';
import { fusedDense } from './layers/fused-dense.js';
import { fromLayersModel, type LayersClassifier } from './layers-model.js';
import { seededInitializers, validateImageModel, type WeightInit } from './initializers.js';

export type CnnPool = 'max' | 'avg' | 'none';

export interface CnnOptions {
  /** Shape of one sample, [height, width, channels]. */
  inputShape: readonly number[];
  numClasses: number;
  /** Output channels of each convolution block, e.g. [32, 64] (default). */
  filters?: readonly number[];
  /** Height and width of every convolution kernel (default 3). */
  kernelSize?: number;
  /** The pooling that ends each block, 2x2 with stride 2 (default `max`). */
  pool?: CnnPool;
  /** BatchNorm after each convolution, before its ReLU (default false). */
  batchNorm?: boolean;
  /** BatchNorm's moving-average momentum, Keras's convention: moving = m * moving + (1 - m) * batch (default 0.9, PyTorch's 0.1). */
  batchNormMomentum?: number;
  /** Units of the dense ReLU layers between the convolutions and the output (default [128]). */
  hiddenSizes?: readonly number[];
  /** Dropout rate before each dense layer (default 0: none). */
  dropout?: number;
  /** Weight initialisation (default `glorot`). */
  init?: WeightInit;
  seed?: number;
}

export const CNN_DEFAULTS = {
  filters: [32, 64],
  kernelSize: 3,
  pool: 'max',
  batchNorm: false,
  batchNormMomentum: 0.9,
  hiddenSizes: [128],
  dropout: 0,
  init: 'glorot',
} as const satisfies Partial<CnnOptions>;

function validate(o: Required<Omit<CnnOptions, 'seed'>> & { seed?: number }): void {
  validateImageModel('cnn', o);
  const positive = (v: number) => Number.isInteger(v) && v > 0;
  if (!o.filters.length || !o.filters.every(positive)) {
    throw new ConfigError(
      'cnn.filters',
      `expected one or more positive integers, got [${o.filters.join(', ')}]`,
    );
  }
  if (!positive(o.kernelSize))
    throw new ConfigError('cnn.kernelSize', `expected a positive integer, got ${o.kernelSize}`);
  if (!o.hiddenSizes.every(positive)) {
    throw new ConfigError('cnn.hiddenSizes', `expected positive integers, got [${o.hiddenSizes.join(', ')}]`);
  }
  if (!(o.dropout >= 0 && o.dropout < 1))
    throw new ConfigError('cnn.dropout', `expected a rate in [0, 1), got ${o.dropout}`);
  if (!(o.batchNormMomentum >= 0 && o.batchNormMomentum < 1)) {
    throw new ConfigError('cnn.batchNormMomentum', `expected a value in [0, 1), got ${o.batchNormMomentum}`);
  }
  if (o.pool !== 'none') {
    const [h, w] = o.inputShape;
    const pools = o.filters.length;
    if (h >> pools < 1 || w >> pools < 1) {
      throw new ConfigError(
        'cnn.inputShape',
        `[${o.inputShape.join(', ')}] is too small for ${pools} 2x2 poolings (at least ${2 ** pools} x ${2 ** pools})`,
      );
    }
  }
}

/** The CNN as a tfjs-layers Sequential model (what `cnn` trains; save it, copy it). */
export function cnnLayersModel(options: CnnOptions): tf.Sequential {
  const o = { ...CNN_DEFAULTS, ...options };
  validate(o);
  const init = seededInitializers(o.init, o.seed ?? 0);
  const model = tf.sequential({ name: 'cnn' });
  let channels = o.inputShape[2];
  o.filters.forEach((filters, i) => {
    const fanIn = o.kernelSize * o.kernelSize * channels;
    model.add(
      tf.layers.conv2d({
        filters,
        kernelSize: o.kernelSize,
        padding: 'same',
        useBias: !o.batchNorm,
        activation: o.batchNorm ? 'linear' : 'relu',
        kernelInitializer: init.kernel(fanIn),
        ...(o.batchNorm ? {} : { biasInitializer: init.bias(fanIn) }),
        ...(i === 0 ? { inputShape: [...o.inputShape] } : {}),
      }),
    );
    if (o.batchNorm) {
      model.add(tf.layers.batchNormalization({ momentum: o.batchNormMomentum, epsilon: 1e-5 }));
      model.add(tf.layers.reLU());
    }
    if (o.pool === 'max') model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    if (o.pool === 'avg') model.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }));
    channels = filters;
  });
  model.add(tf.layers.flatten());
  let width = model.outputs[0].shape[1] as number;
  const dense = [
    ...o.hiddenSizes.map((units) => ({ units, activation: 'relu' as const })),
    { units: o.numClasses, activation: 'linear' as const },
  ];
  for (const { units, activation } of dense) {
    if (o.dropout > 0) model.add(tf.layers.dropout({ rate: o.dropout }));
    model.add(
      fusedDense({
        units,
        activation,
        kernelInitializer: init.kernel(width),
        biasInitializer: init.bias(width),
      }),
    );
    width = units;
  }
  return model;
}

/** The CNN as a classifier (see the file's comment); `model` is its tfjs-layers model. */
export function cnn(options: CnnOptions): LayersClassifier {
  const o = { ...CNN_DEFAULTS, ...options };
  const [h, w, c] = o.inputShape;
  const blocks = o.filters.map((f) => `conv${f}`).join('-');
  const name = `cnn(${h}x${w}x${c}: ${blocks}${o.batchNorm ? ' bn' : ''}${o.pool === 'none' ? '' : ` ${o.pool}pool`}-${[...o.hiddenSizes, o.numClasses].join('-')})`;
  return fromLayersModel(cnnLayersModel(options), { name });
}
