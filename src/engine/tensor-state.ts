/**
 * Tensors to saved state and back (core/state.ts): values copied into typed arrays, so a checkpoint
 * holds no tensor and restoring makes fresh ones of the shapes the reader expects.
 */
import * as tf from './tf.js';
import { DataFormatError } from '../core/errors.js';
import { StateReader, type StateRecord, type StateValue } from '../core/state.js';

/** A float32 tensor's shape and a copy of its values. */
export function tensorState(tensor: tf.Tensor): StateRecord {
  return { shape: Int32Array.from(tensor.shape), values: Float32Array.from(tensor.dataSync()) };
}

/** A new tensor from `tensorState`'s record; `shape`, when given, must match. */
export function tensorFromState(value: StateValue, where: string, shape?: readonly number[]): tf.Tensor {
  const state = new StateReader(value, where);
  const saved = Array.from(state.ints('shape'));
  if (shape && (saved.length !== shape.length || saved.some((d, i) => d !== shape[i]))) {
    throw new DataFormatError(where, `expected shape [${shape.join(', ')}], got [${saved.join(', ')}]`);
  }
  const size = saved.reduce((n, d) => n * d, 1);
  return tf.tensor(state.floats('values', size), saved);
}

/** Copies of the variables' values, in order. */
export function variablesState(variables: readonly tf.Variable[]): Float32Array[] {
  return variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
}

/** Assigns `variablesState`'s values back to variables of the same count and sizes. */
export function restoreVariables(variables: readonly tf.Variable[], value: StateValue, where: string): void {
  if (!Array.isArray(value) || value.length !== variables.length) {
    throw new DataFormatError(
      where,
      `expected ${variables.length} arrays of variable values, got ${Array.isArray(value) ? value.length : 'none'}`,
    );
  }
  const arrays = value as readonly StateValue[];
  variables.forEach((v, i) => {
    const values = arrays[i];
    if (!(values instanceof Float32Array) || values.length !== v.size) {
      throw new DataFormatError(
        `${where}[${i}]`,
        `expected ${v.size} float32 values for a variable of shape [${v.shape.join(', ')}]`,
      );
    }
  });
  variables.forEach((v, i) => {
    const t = tf.tensor(arrays[i] as Float32Array, v.shape);
    v.assign(t);
    t.dispose();
  });
}
