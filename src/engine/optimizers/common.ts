/** Plumbing shared by unforget's optimizers. */
import * as tf from '../tf.js';
import { NativeBackend } from '../../native/native-backend.js';
import { privateZerosVariable } from '../../native/optimizer-updates.js';

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
