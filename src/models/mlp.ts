/**
 * Multi-layer perceptrons: `mlp` (one output layer) and `multiHeadMlp` (a shared trunk and
 * one output head per task, picked by task id, for task-incremental learning).
 * Layers are `fusedDense` (one native kernel forward, one or two backward), initialised
 * from a seed so that the same seed gives the same model.
 */
import * as tf from '../engine/tf.js';
import { fusedDense } from './layers/fused-dense.js';
import type { Classifier } from './classifier.js';
import { denseStackGradientSums, type DenseActivation, type DenseStep } from './per-sample-gradients.js';

export type MlpActivation = DenseActivation;

export interface MlpOptions {
  /** Shape of one sample, e.g. [28, 28, 1]; it is flattened. */
  inputShape: readonly number[];
  /** Units of each hidden layer, e.g. [400, 400]. */
  hiddenSizes: readonly number[];
  numClasses: number;
  activation?: MlpActivation;
  /**
   * Weight initialisation: `glorot` (Glorot-uniform kernels, zero biases; tfjs/Keras's default)
   * or `fan-in-uniform` (kernels and biases uniform in +-1/sqrt(fan-in): PyTorch's nn.Linear
   * default, and what van de Ven & Tolias's code uses). Default `glorot`.
   */
  init?: MlpInit;
  seed?: number;
}

export interface MultiHeadMlpOptions extends MlpOptions {
  /** Number of heads (tasks). */
  heads: number;
}

function validate(options: MlpOptions): void {
  const positive = (v: number) => Number.isInteger(v) && v > 0;
  if (!options.inputShape.length || !options.inputShape.every(positive)) {
    throw new Error(`inputShape: expected positive integers, got [${options.inputShape.join(', ')}]`);
  }
  if (!options.hiddenSizes.every(positive)) {
    throw new Error(`hiddenSizes: expected positive integers, got [${options.hiddenSizes.join(', ')}]`);
  }
  if (!positive(options.numClasses))
    throw new Error(`numClasses: expected a positive integer, got ${options.numClasses}`);
}

/** Seeds of successive layers: one per layer, derived from the model's seed. */
function layerSeeds(seed: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (seed * 1000003 + i * 7919) >>> 0);
}

export type MlpInit = 'glorot' | 'fan-in-uniform';

interface LayerSpec {
  units: number;
  activation: MlpActivation;
  seed: number;
  fanIn: number;
  init: MlpInit;
  /** Declare the input shape (the model's first layer). */
  first: boolean;
}

function denseLayer({ units, activation, seed, fanIn, init, first }: LayerSpec): tf.layers.Layer {
  const limit = 1 / Math.sqrt(fanIn);
  const uniform = (s: number) => tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed: s });
  return fusedDense({
    units,
    activation,
    kernelInitializer: init === 'glorot' ? tf.initializers.glorotUniform({ seed }) : uniform(seed),
    biasInitializer: init === 'glorot' ? 'zeros' : uniform((seed + 104729) >>> 0),
    ...(first ? { inputShape: [fanIn] } : {}),
  });
}

/** The hidden layers as one model from flattened inputs to the last hidden activation. */
function trunk(options: MlpOptions, seeds: number[]): tf.Sequential {
  const inputDim = options.inputShape.reduce((a, b) => a * b, 1);
  const activation = options.activation ?? 'relu';
  const model = tf.sequential();
  options.hiddenSizes.forEach((units, i) =>
    model.add(
      denseLayer({
        units,
        activation,
        seed: seeds[i],
        fanIn: i === 0 ? inputDim : options.hiddenSizes[i - 1],
        init: options.init ?? 'glorot',
        first: i === 0,
      }),
    ),
  );
  return model;
}

const flatten = (x: tf.Tensor): tf.Tensor2D => tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;

/** The dense layers of `model` as (kernel, bias, activation): hidden layers first, then the output. */
function steps(model: tf.Sequential, hiddenActivation: MlpActivation, hiddenCount: number): DenseStep[] {
  return model.layers.map((layer, i) => {
    const [kernel, bias] = layer.trainableWeights.map((w) => w.read());
    return { kernel, bias: bias ?? null, activation: i < hiddenCount ? hiddenActivation : 'linear' };
  });
}

/** The output of every layer of `model` but the last, on `x` flattened. */
const trunkOf = (model: tf.Sequential, x: tf.Tensor): tf.Tensor2D =>
  model.layers
    .slice(0, -1)
    .reduce<tf.Tensor>((h, layer) => layer.apply(h) as tf.Tensor, flatten(x)) as tf.Tensor2D;

export function mlp(options: MlpOptions): Classifier {
  validate(options);
  const seeds = layerSeeds(options.seed ?? 0, options.hiddenSizes.length + 1);
  const inputDim = options.inputShape.reduce((a, b) => a * b, 1);
  const model = options.hiddenSizes.length ? trunk(options, seeds) : tf.sequential();
  const last = options.hiddenSizes.length ? options.hiddenSizes[options.hiddenSizes.length - 1] : inputDim;
  model.add(
    denseLayer({
      units: options.numClasses,
      activation: 'linear',
      seed: seeds[options.hiddenSizes.length],
      fanIn: last,
      init: options.init ?? 'glorot',
      first: !options.hiddenSizes.length,
    }),
  );
  return {
    name: `mlp(${[inputDim, ...options.hiddenSizes, options.numClasses].join('-')})`,
    numClasses: options.numClasses,
    logits: (x) => model.apply(flatten(x)) as tf.Tensor2D,
    // Every layer but the output layer (the input itself when there is no hidden layer).
    features: (x) => trunkOf(model, x),
    featuresAndLogits(x) {
      const features = trunkOf(model, x);
      return { features, logits: model.layers[model.layers.length - 1].apply(features) as tf.Tensor2D };
    },
    perSampleGradientSums: (x, _taskId, outputGradient, power) =>
      tf.tidy(() =>
        denseStackGradientSums(
          flatten(x),
          steps(model, options.activation ?? 'relu', options.hiddenSizes.length),
          outputGradient,
          power,
        ),
      ),
    variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
    layersModel: model,
    dispose: () => model.dispose(),
  };
}

export function multiHeadMlp(options: MultiHeadMlpOptions): Classifier {
  validate(options);
  if (!Number.isInteger(options.heads) || options.heads < 1) {
    throw new Error(`heads: expected a positive integer, got ${options.heads}`);
  }
  if (!options.hiddenSizes.length)
    throw new Error('hiddenSizes: a multi-head MLP needs at least one hidden layer');
  const seeds = layerSeeds(options.seed ?? 0, options.hiddenSizes.length + options.heads);
  const shared = trunk(options, seeds);
  const hidden = options.hiddenSizes[options.hiddenSizes.length - 1];
  const heads = Array.from({ length: options.heads }, (_, t) => {
    const head = tf.sequential();
    head.add(
      denseLayer({
        units: options.numClasses,
        activation: 'linear',
        seed: seeds[options.hiddenSizes.length + t],
        fanIn: hidden,
        init: options.init ?? 'glorot',
        first: true,
      }),
    );
    return head;
  });
  const inputDim = options.inputShape.reduce((a, b) => a * b, 1);
  let functional: tf.LayersModel | undefined;
  const checkTask = (taskId: number | undefined): number => {
    if (taskId === undefined || !Number.isInteger(taskId) || taskId < 0 || taskId >= heads.length) {
      throw new Error(`taskId: a multi-head model needs a task id in [0, ${heads.length}), got ${taskId}`);
    }
    return taskId;
  };
  return {
    multiHead: true,
    name: `multi-head-mlp(${[inputDim, ...options.hiddenSizes].join('-')} x ${options.heads} heads)`,
    numClasses: options.numClasses,
    logits: (x, taskId) => heads[checkTask(taskId)].apply(shared.apply(flatten(x))) as tf.Tensor2D,
    features: (x) => shared.apply(flatten(x)) as tf.Tensor2D,
    perSampleGradientSums: (x, taskId, outputGradient, power) => {
      const task = checkTask(taskId);
      return tf.tidy(() => {
        const activation = options.activation ?? 'relu';
        const layers = [...steps(shared, activation, Infinity), ...steps(heads[task], activation, 0)];
        const sums = denseStackGradientSums(flatten(x), layers, outputGradient, power);
        const trunkCount = shared.trainableWeights.length;
        return [
          ...sums.slice(0, trunkCount),
          ...heads.flatMap((head, t) =>
            t === task ? sums.slice(trunkCount) : head.trainableWeights.map((w) => tf.zerosLike(w.read())),
          ),
        ];
      });
    },
    variables: [shared, ...heads].flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable)),
    // One functional model over the same layers, an output per head (its inputs flattened), for saving.
    get layersModel() {
      if (!functional) {
        const input = tf.input({ shape: [inputDim] });
        const trunkOut = shared.apply(input) as tf.SymbolicTensor;
        functional = tf.model({
          inputs: input,
          outputs: heads.map((head) => head.apply(trunkOut) as tf.SymbolicTensor),
          name: 'multi_head_mlp',
        });
      }
      return functional;
    },
    dispose: () => [shared, ...heads].forEach((m) => m.dispose()),
  };
}
