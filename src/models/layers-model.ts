/**
 * Any tfjs-layers model as a `Classifier`: `fromLayersModel(model)` trains `model` itself, in
 * place (its variables are the classifier's), so it can be saved or used with tfjs afterwards.
 *
 * - The model takes one input of the stream's sample shape and gives one output, [batch, classes]:
 *   the logits every strategy's loss reads.
 * - A softmax at the end is stepped over, since softmax cross-entropy and distillation need logits:
 *   a trailing `tf.layers.softmax()` or `activation('softmax')` layer by reading its input, a last
 *   Dense layer with `activation: 'softmax'` by reading its pre-activation (features · kernel +
 *   bias, with the layer's own weights). Any other last layer with a softmax activation is refused:
 *   give it a linear activation (and a softmax layer after it, for probabilities).
 * - `logits(x, taskId, training)` passes `{ training }` to every layer: Dropout drops and
 *   BatchNormalization normalises with the batch's statistics and moves its averages only in a
 *   training step's forward pass.
 * - `features` is the input of the output layer (the layer whose output is the logits), where the
 *   graph has one: what iCaRL and the memory-augmented methods read.
 * - `variables` are the model's trainable weights, `stateVariables` its non-trainable ones
 *   (BatchNorm's moving mean and variance, frozen layers): checkpoints save both and frozen copies
 *   copy both.
 *
 * `copyLayersModel(model)` builds a new model of the same architecture from `model.getConfig()`
 * (synchronously), with the same or fresh weights; `layersModelFactory(model)` makes the
 * classifiers a strategy that keeps a frozen copy asks for (`copyModel`). `snapshotLayersModel` /
 * `layersModelFromSnapshot` keep an architecture and its weights without tensors (the registry's
 * `layers` model, read once from a file, built many times).
 */
import * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';
import type { Classifier } from './classifier.js';
import { FusedDense } from './layers/fused-dense.js';

type SymbolicTensor = InstanceType<typeof tf.SymbolicTensor>;
type Layer = tf.layers.Layer;

/** A classifier over a tfjs-layers model, the model included. */
export interface LayersClassifier extends Classifier {
  /** The model it trains, in place: save it with `model.save('file:///abs/dir')`. */
  readonly model: tf.LayersModel;
  /** The input of the output layer, [batch, features]; `training` as in `logits`. */
  features?(x: tf.Tensor, taskId?: number, training?: boolean): tf.Tensor2D;
  readonly stateVariables: readonly tf.Variable[];
}

export interface FromLayersModelOptions {
  /** The classifier's name (default `layers(<model name>)`). */
  name?: string;
  /** Whether the classifier's `dispose()` disposes the model (default true). */
  disposeModel?: boolean;
}

interface DenseFields {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
}

/** The class name of a layer's activation (`relu`, `softmax`, ...), when it has one. */
function activationOf(layer: Layer): string | undefined {
  const activation = (layer as unknown as { activation?: { getClassName?(): string } }).activation;
  return activation?.getClassName?.().toLowerCase();
}

const isSoftmaxLayer = (layer: Layer) =>
  layer.getClassName() === 'Softmax' ||
  (layer.getClassName() === 'Activation' && activationOf(layer) === 'softmax');

const isDense = (layer: Layer) => layer.getClassName() === 'Dense' || layer instanceof FusedDense;

/** The one tensor a symbolic tensor's layer call took, or null (several, or none). */
function onlyInput(t: SymbolicTensor): SymbolicTensor | null {
  return t.inputs.length === 1 ? t.inputs[0] : null;
}

/**
 * Where the logits and the features are in the model's graph: `output` the logits tensor (the
 * model's output, or the input of its trailing softmax layer), `features` the input of the layer
 * giving it; `dense` a last Dense layer with a softmax activation, whose pre-activation is read.
 */
interface Head {
  logits: SymbolicTensor | null;
  features: SymbolicTensor | null;
  dense: Layer | null;
}

function headOf(model: tf.LayersModel, name: string): Head {
  const output = model.outputs[0];
  const last = output.sourceLayer;
  const describe = (layer: Layer) => `its last layer "${layer.name}" (${layer.getClassName()})`;
  if (isSoftmaxLayer(last)) {
    const logits = onlyInput(output);
    if (!logits) throw new ConfigError(name, `${describe(last)} is a softmax with no single input to read`);
    return { logits, features: onlyInput(logits), dense: null };
  }
  if (activationOf(last) === 'softmax') {
    if (!isDense(last)) {
      throw new ConfigError(
        name,
        `${describe(last)} applies softmax, and unforget trains on logits: give it a linear ` +
          'activation (and a tf.layers.softmax() layer after it if you need probabilities)',
      );
    }
    const features = onlyInput(output);
    if (!features) throw new ConfigError(name, `${describe(last)} has no single input to read`);
    return { logits: null, features, dense: last };
  }
  return { logits: output, features: onlyInput(output), dense: null };
}

/** Shape [batch, classes] of the logits tensor, checked. */
function classCount(shape: readonly (number | null)[], name: string): number {
  if (shape.length !== 2 || !Number.isInteger(shape[1]) || (shape[1] as number) < 1) {
    throw new ConfigError(name, `expected logits of shape [batch, classes], got [${shape.join(', ')}]`);
  }
  return shape[1] as number;
}

/** `x` through `model`'s graph up to `target` (the input itself when target is the input). */
function runner(
  model: tf.LayersModel,
  target: SymbolicTensor,
): (x: tf.Tensor, training: boolean) => tf.Tensor {
  if (target.id === model.inputs[0].id) return (x) => x.clone();
  if (target.id === model.outputs[0].id) return (x, training) => model.apply(x, { training }) as tf.Tensor;
  // A model over the same layers (no weights of its own, never disposed: the layers are model's).
  const sub = tf.model({ inputs: model.inputs, outputs: target });
  return (x, training) => sub.apply(x, { training }) as tf.Tensor;
}

/** `model` as a classifier: its logits, features, trainable and state variables (see the file's comment). */
export function fromLayersModel(
  model: tf.LayersModel,
  options: FromLayersModelOptions = {},
): LayersClassifier {
  const name = options.name ?? `layers(${model.name})`;
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new ConfigError(
      name,
      `expected a model with one input and one output, got ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  const head = headOf(model, name);
  const numClasses = classCount(head.dense ? model.outputs[0].shape : head.logits!.shape, name);
  const features = head.features ? runner(model, head.features) : null;
  let logits: (x: tf.Tensor, training: boolean) => tf.Tensor;
  if (head.dense) {
    const dense = head.dense as unknown as DenseFields;
    const toFeatures = features!;
    logits = (x, training) => {
      const h = toFeatures(x, training);
      const z = tf.matMul(h as tf.Tensor2D, dense.kernel.read() as tf.Tensor2D);
      return dense.bias ? tf.add(z, dense.bias.read()) : z;
    };
  } else {
    logits = runner(model, head.logits!);
  }
  return {
    name,
    numClasses,
    model,
    layersModel: model,
    logits: (x, _taskId, training = false) => tf.tidy(() => logits(x, training)) as tf.Tensor2D,
    ...(features
      ? {
          features: (x: tf.Tensor, _taskId?: number, training = false) =>
            tf.tidy(() => {
              const h = features(x, training);
              return (h.rank === 2 ? h : tf.reshape(h, [h.shape[0], -1])) as tf.Tensor2D;
            }),
        }
      : {}),
    variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
    stateVariables: model.nonTrainableWeights.map((w) => w.read() as tf.Variable),
    dispose: () => {
      if (options.disposeModel ?? true) model.dispose();
    },
  };
}

export interface CopyLayersModelOptions {
  /** `copy` (default): the model's current weights; `fresh`: new ones from the layers' initialisers. */
  weights?: 'copy' | 'fresh';
  /**
   * Dense layers built as `fusedDense` (the same layer and weights, with the native backend's fused
   * training step; it saves as Dense). Default false: the config's classes as they are.
   */
  fuseDense?: boolean;
}

/** `config` with every `Dense` layer config made a fused one (nested models too). */
function fusedConfig(config: unknown): unknown {
  if (Array.isArray(config)) return config.map(fusedConfig);
  if (config === null || typeof config !== 'object') return config;
  const entries = Object.entries(config).map(([k, v]) => [k, fusedConfig(v)] as const);
  const copy = Object.fromEntries(entries) as Record<string, unknown>;
  if (copy.className === 'Dense' && copy.config) copy.className = FusedDense.className;
  return copy;
}

/** A model of a `Sequential` or functional config (its own layers and fresh or zero weights). */
function modelFromConfig(
  sequential: boolean,
  config: tf.serialization.ConfigDict,
  { fuseDense = false, zeroInit = false }: { fuseDense?: boolean; zeroInit?: boolean },
): tf.LayersModel {
  const own = structuredClone(config);
  const dict = (fuseDense ? fusedConfig(own) : own) as tf.serialization.ConfigDict;
  const cls = (sequential ? tf.Sequential : tf.LayersModel) as unknown as typeof tf.LayersModel &
    tf.serialization.SerializableConstructor<tf.LayersModel>;
  return cls.fromConfig(cls, dict, {}, zeroInit);
}

/** A new model of `model`'s architecture (same config), with its current weights or fresh ones. */
export function copyLayersModel(model: tf.LayersModel, options: CopyLayersModelOptions = {}): tf.LayersModel {
  const weights = options.weights ?? 'copy';
  const copy = modelFromConfig(model instanceof tf.Sequential, model.getConfig(), {
    fuseDense: options.fuseDense,
    zeroInit: weights === 'copy',
  });
  if (weights === 'copy') copy.setWeights(model.getWeights());
  return copy;
}

/**
 * Fresh classifiers of `model`'s architecture, each over its own copy (`copyLayersModel`), as a
 * strategy's `copyModel` wants: `lwf({ copyModel: layersModelFactory(model) })`.
 */
export function layersModelFactory(
  model: tf.LayersModel,
  options: CopyLayersModelOptions & Pick<FromLayersModelOptions, 'name'> = {},
): () => LayersClassifier {
  const name = options.name ?? `layers(${model.name})`;
  return () => fromLayersModel(copyLayersModel(model, options), { name });
}

/** A model's architecture and weights as plain values (no tensors): nothing to dispose. */
export interface LayersModelSnapshot {
  readonly sequential: boolean;
  readonly config: tf.serialization.ConfigDict;
  readonly weights: readonly {
    readonly shape: number[];
    readonly dtype: tf.DataType;
    readonly values: tf.TypedArray;
  }[];
  /** The shape of one sample, the model's input shape without the batch. */
  readonly inputShape: readonly number[];
}

export function snapshotLayersModel(model: tf.LayersModel): LayersModelSnapshot {
  return {
    sequential: model instanceof tf.Sequential,
    config: structuredClone(model.getConfig()),
    weights: model.getWeights().map((w) => ({
      shape: [...w.shape],
      dtype: w.dtype,
      values: (w.dataSync() as tf.TypedArray).slice(),
    })),
    inputShape: model.inputs[0].shape.slice(1).map((d) => d ?? -1),
  };
}

/** A new model from a snapshot, with its weights. */
export function layersModelFromSnapshot(
  snapshot: LayersModelSnapshot,
  options: Pick<CopyLayersModelOptions, 'fuseDense'> = {},
): tf.LayersModel {
  const model = modelFromConfig(snapshot.sequential, snapshot.config, { ...options, zeroInit: true });
  const tensors = snapshot.weights.map((w) => tf.tensor(w.values, w.shape, w.dtype));
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
  return model;
}
