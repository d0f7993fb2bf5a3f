/**
 * Growing a classifier's head: a model built for N classes becomes one with M > N outputs when
 * class N (or later) arrives, as a Learner configured to grow does (`growModel`). The grown model
 * is built fresh by the same builder with M outputs; every weight is then copied from the old model,
 * and the output layer's weights (the variables whose shape changes: the kernel [features, N] and
 * the bias [N]) keep the old values in their first N columns, the new columns their fresh
 * initialisation. So the grown model answers the old classes exactly as before.
 *
 * What a method keeps per variable (EWC's Fisher, SI's path integral, an optimizer's moments)
 * grows alike with `growAligned`: 0 in the new columns (no importance, no momentum yet).
 */
import * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';
import { modelWeights, type Classifier } from './classifier.js';

/** Builds the model again with `numClasses` outputs (same architecture otherwise, same variable order). */
export type ModelBuilder = (numClasses: number) => Classifier;

/** What a grown head tells the methods that keep state shaped by the model. */
export interface ModelGrowth {
  /** Outputs before and after. */
  readonly from: number;
  readonly to: number;
  /** The grown model (the learner's model from now on). */
  readonly model: Classifier;
  /**
   * Tensors aligned with the old model's trainable variables grown to the new ones' shapes
   * (`growAligned`: `fill`, default 0, in the new columns). New tensors; the inputs stay.
   */
  aligned(tensors: readonly tf.Tensor[], fill?: number): tf.Tensor[];
  /**
   * A copy of the old width grown likewise (LwF's and iCaRL's frozen models): a new model with the
   * copy's weights and fresh new columns; the copy is disposed.
   */
  growCopy(copy: Classifier): Classifier;
}

/**
 * Where `to` extends `from`: the one axis whose size grows (every other equal), or -1 when the
 * shapes are equal. Refuses anything else (a builder that changed more than the output layer).
 */
function grownAxis(from: readonly number[], to: readonly number[], where: string): number {
  if (from.length !== to.length) {
    throw new ConfigError(where, `expected a variable of rank ${from.length}, got shape [${to.join(', ')}]`);
  }
  const differing = from.map((n, axis) => (n === to[axis] ? -1 : axis)).filter((axis) => axis >= 0);
  if (!differing.length) return -1;
  const [axis] = differing;
  if (differing.length > 1 || to[axis] < from[axis]) {
    throw new ConfigError(
      where,
      `expected shape [${from.join(', ')}] grown along one axis, got [${to.join(', ')}]`,
    );
  }
  return axis;
}

/**
 * `value` (of shape `from`) placed at the start of a tensor of shape `to` along the grown axis,
 * the rest taken from `rest` (a tensor of shape `to`), or `fill` where there is no `rest`.
 */
function extend(value: tf.Tensor, to: readonly number[], axis: number, rest: tf.Tensor | number): tf.Tensor {
  return tf.tidy(() => {
    const extra = [...to];
    extra[axis] = to[axis] - value.shape[axis];
    const tail =
      typeof rest === 'number'
        ? tf.fill(extra, rest)
        : tf.slice(
            rest,
            to.map((_, a) => (a === axis ? value.shape[axis] : 0)),
            extra,
          );
    return tf.concat([value, tail], axis);
  });
}

/**
 * Tensors aligned with a model's variables (one per variable, of its shape) grown to the shapes of
 * `shapes`: the same values, `fill` (default 0) in the new columns. New tensors; the inputs stay.
 */
export function growAligned(
  tensors: readonly tf.Tensor[],
  shapes: readonly (readonly number[])[],
  fill = 0,
): tf.Tensor[] {
  return tensors.map((t, i) => {
    const axis = grownAxis(t.shape, shapes[i], `growth: variable ${i}`);
    return tf.keep(axis < 0 ? t.clone() : extend(t, shapes[i], axis, fill));
  });
}

/** `to`'s weights and state set from `from`'s, grown where `to`'s are larger (see the file's comment). */
export function copyGrownWeights(from: Classifier, to: Classifier): void {
  const source = modelWeights(from);
  const target = modelWeights(to);
  if (source.length !== target.length) {
    throw new ConfigError(
      'growModel',
      `expected a model with ${source.length} variables (the same architecture), got ${target.length}`,
    );
  }
  target.forEach((v, i) => {
    const axis = grownAxis(source[i].shape, v.shape, `growModel: variable ${i} (${v.name})`);
    if (axis < 0) v.assign(source[i]);
    else tf.tidy(() => v.assign(extend(source[i], v.shape, axis, v)));
  });
}

/** A model like `previous` with `numClasses` outputs built by `build`, its old weights copied in. */
export function grownModel(previous: Classifier, build: ModelBuilder, numClasses: number): Classifier {
  const model = build(numClasses);
  try {
    if (model.numClasses !== numClasses) {
      throw new ConfigError(
        'growModel',
        `expected a model with ${numClasses} outputs, got ${model.numClasses} (${model.name})`,
      );
    }
    copyGrownWeights(previous, model);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** The growth of `previous` to `model`, for the methods to follow (`Plugin.onModelGrown`). */
export function modelGrowth(previous: Classifier, model: Classifier, build: ModelBuilder): ModelGrowth {
  return {
    from: previous.numClasses,
    to: model.numClasses,
    model,
    aligned: (tensors, fill) =>
      growAligned(
        tensors,
        model.variables.map((v) => v.shape),
        fill,
      ),
    growCopy(copy) {
      const grown = grownModel(copy, build, model.numClasses);
      copy.dispose();
      return grown;
    },
  };
}

/**
 * An optimizer's saved state (`CheckpointableOptimizer.saveState`) for the grown model: every list
 * of per-variable slots (one entry per old variable, each null or its values) grown as
 * `growAligned` grows tensors, 0 in the new columns (no momentum yet); the rest (the step count)
 * as it was.
 */
export function growOptimizerState(
  state: Readonly<Record<string, unknown>>,
  previousShapes: readonly (readonly number[])[],
  shapes: readonly (readonly number[])[],
): Record<string, unknown> {
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const isSlots = (value: unknown): value is (Float32Array | null)[] =>
    Array.isArray(value) &&
    value.length === previousShapes.length &&
    value.every(
      (slot, i) => slot === null || (slot instanceof Float32Array && slot.length === size(previousShapes[i])),
    );
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    out[key] = isSlots(value)
      ? value.map((slot, i) => {
          if (slot === null) return null;
          const [grown] = tf.tidy(() => growAligned([tf.tensor(slot, [...previousShapes[i]])], [shapes[i]]));
          const values = grown.dataSync() as Float32Array;
          grown.dispose();
          return Float32Array.from(values);
        })
      : value;
  }
  return out;
}
