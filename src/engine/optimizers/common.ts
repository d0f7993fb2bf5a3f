/** Plumbing shared by unforget's optimizers. */
import * as tf from '../tf.js';
import { NativeBackend } from '../../native/native-backend.js';
import { privateZerosVariable } from '../../native/optimizer-updates.js';
import { DataFormatError } from '../../core/errors.js';
import type { StateRecord, StateValue } from '../../core/state.js';

/** A tensor with a name, as `Optimizer.getWeights` / `setWeights` exchange them. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** What `Optimizer.applyGradients` receives: a map by variable name, or a list of named tensors. */
export type VariableGradients = tf.NamedTensorMap | NamedTensor[];

export interface VariableGradient {
  name: string;
  variable: tf.Variable;
  gradient: tf.Tensor;
}

/** The (variable, gradient) pairs to update, in order; like tfjs, missing gradients are skipped. */
export function namedGradients(variableGradients: VariableGradients): VariableGradient[] {
  const pairs: Array<[string, tf.Tensor | undefined]> = Array.isArray(variableGradients)
    ? variableGradients.map((g) => [g.name, g.tensor])
    : Object.entries(variableGradients);
  const out: VariableGradient[] = [];
  for (const [name, gradient] of pairs) {
    if (gradient == null) continue;
    const variable = tf.engine().registeredVariables[name];
    if (!variable) throw new Error(`optimizer: no variable named "${name}"`);
    out.push({ name, variable, gradient });
  }
  return out;
}

/** The current backend when it is `native` (updates run in place), else null (tfjs ops). */
export function nativeBackend(): NativeBackend | null {
  const backend = tf.backend();
  return backend instanceof NativeBackend ? backend : null;
}

/** Optimizer state for one variable: a non-trainable zero variable of the same shape. */
export function zerosState(like: tf.Variable, backend: NativeBackend | null): tf.Variable {
  if (backend && like.dtype === 'float32') return privateZerosVariable(backend, like.shape);
  return tf.tidy(() => tf.zerosLike(like).variable(false));
}

/** A named optimizer state variable, as `getWeights` reports it (`<variable>/<suffix>`). */
export interface StateVariable {
  originalName: string;
  variable: tf.Variable;
}

/** Splits `<variable name>/<suffix>` as written by getWeights; null when the suffix differs. */
export function stateOwner(originalName: string, suffix: string): string | null {
  const tail = `/${suffix}`;
  return originalName.endsWith(tail) ? originalName.slice(0, -tail.length) : null;
}

export function assertFinite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${name}: expected a finite number, got ${String(value)}`);
  }
  return value;
}

/**
 * An optimizer whose whole state (step count and per-variable slots) a checkpoint can save and
 * restore. Slots are saved by the variable's position in `variables` (the model's order), not by
 * its tfjs name: a resumed process makes new variables with other names.
 */
export interface CheckpointableOptimizer {
  saveState(variables: readonly tf.Variable[]): StateRecord;
  loadState(variables: readonly tf.Variable[], state: StateValue): void;
}

export function isCheckpointable(
  optimizer: tf.Optimizer,
): optimizer is tf.Optimizer & CheckpointableOptimizer {
  const o = optimizer as Partial<CheckpointableOptimizer>;
  return typeof o.saveState === 'function' && typeof o.loadState === 'function';
}

/** One slot per variable, in order: a copy of its values, or null where the variable has none yet. */
export function slotsState(
  variables: readonly tf.Variable[],
  slotOf: (variable: tf.Variable) => tf.Variable | undefined,
): (Float32Array | null)[] {
  return variables.map((v) => {
    const slot = slotOf(v);
    return slot ? Float32Array.from(slot.dataSync() as Float32Array) : null;
  });
}

/** `slotsState`'s lists back as slot variables, checked against the variables' sizes. */
export function slotsFromState(
  variables: readonly tf.Variable[],
  value: StateValue,
  where: string,
): (tf.Variable | undefined)[] {
  if (!Array.isArray(value) || value.length !== variables.length) {
    throw new DataFormatError(where, `expected one slot per variable (${variables.length})`);
  }
  const slots = value as readonly StateValue[];
  slots.forEach((slot, i) => {
    if (slot !== null && !(slot instanceof Float32Array && slot.length === variables[i].size)) {
      throw new DataFormatError(`${where}[${i}]`, `expected null or ${variables[i].size} float32 values`);
    }
  });
  return slots.map((slot, i) =>
    slot === null
      ? undefined
      : tf.tidy(() => tf.tensor(slot as Float32Array, variables[i].shape).variable(false)),
  );
}
