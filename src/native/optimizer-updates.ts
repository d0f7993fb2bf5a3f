/**
 * In-place native optimizer updates (SGD, momentum, Adam).
 *
 * tfjs treats tensors as immutable: an optimizer step computes new arrays with 3-8
 * kernels per variable and `assign`s them. On the `native` backend we instead overwrite
 * the variable's array (and the optimizer's state arrays) with one addon call per
 * variable. The engine sees no new tensor: same dataId, same shape, same byte count,
 * `tf.memory()` unchanged; only the values behind the dataId change.
 *
 * That is only sound when nobody else can observe the array. An array may be mutated in
 * place only if all of these hold:
 *  (a) the engine tracks its dataId on this backend, with a reference count of 1 if the
 *      engine keeps one (see {@link engineDataRecord}; tfjs 4.22 keeps none),
 *  (b) the backend's reference count of the dataId is 1: no other tensor (a `clone()`, a
 *      `reshape`, a tensor saved by the tape, another variable) shares it,
 *  (c) `backend.pool.isPrivate(values)`: the array was allocated by the buffer pool and has
 *      never escaped, i.e. it was never handed to user code (`dataSync()` / `data()`
 *      return the array itself on cpu-like backends) nor aliased by another dataId
 *      (a `slice` view).
 * Otherwise the variable first gets a private copy (alloc from the pool, copy, wrap with
 * `backend.output`, `variable.assign(copy)`, dispose the wrapper), which the update then
 * overwrites: whoever held the old array keeps the old values. Later steps find the copy
 * private and update it in place directly. (With the pool off, UNFORGET_POOL=0, no array
 * is ever pool-owned, so every step copies first: still correct, only slower.)
 */
import { engine } from '@tensorflow/tfjs-core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { NativeBackend } from './native-backend.js';

export interface OptimAddon {
  /** param += negLr * grad */
  sgdUpdate(param: Float32Array, grad: Float32Array, negLr: number): void;
  /** accum = momentum * accum + grad; param += negLr * (nesterov ? grad + momentum * accum : accum) */
  momentumUpdate(
    param: Float32Array,
    grad: Float32Array,
    accum: Float32Array,
    negLr: number,
    momentum: number,
    nesterov: boolean,
  ): void;
  /** One Adam step with the bias corrections 1 - beta1^t and 1 - beta2^t precomputed. */
  adamUpdate(
    param: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    negLr: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    oneMinusAccBeta1: number,
    oneMinusAccBeta2: number,
    epsilon: number,
  ): void;
}

type DataId = object;

/** The parts of the tfjs engine's private state the safety check reads. */
interface EngineTensorInfo {
  backend: unknown;
  refCount?: number;
}
interface EngineInternals {
  state: { tensorInfo: { get(dataId: DataId): EngineTensorInfo | undefined } };
}

/**
 * The engine-level record of a dataId: whether the engine tracks it, on which backend,
 * and its reference count where the engine keeps one. tfjs 4.22 keeps none at engine
 * level (engine.trackTensor stores backend, dtype, shape, bytes): there the backend's
 * count (rule (b)) is the count of every Tensor object on the dataId, because the engine
 * routes every extra reference (variables, clones, reshapes) through `backend.incRef`.
 */
export function engineDataRecord(dataId: DataId): { backend: unknown; refCount: number | undefined } | null {
  const info = (engine() as unknown as EngineInternals).state.tensorInfo.get(dataId);
  return info ? { backend: info.backend, refCount: info.refCount } : null;
}

/** Rules (a), (b), (c) above: whether `t`'s float32 array can be overwritten unseen. */
export function isMutableInPlace(backend: NativeBackend, t: Tensor): boolean {
  const record = engineDataRecord(t.dataId);
  if (!record || record.backend !== backend || (record.refCount ?? 1) !== 1) return false;
  if (backend.refCount(t.dataId) !== 1) return false;
  return backend.pool.isPrivate(backend.f32(t));
}

/** A float32 tensor on `backend` wrapping a pool array (contents as written by `fill`). */
function pooledTensor(backend: NativeBackend, shape: number[], fill: (out: Float32Array) => void): Tensor {
  const values = backend.alloc(shape.reduce((a, b) => a * b, 1));
  fill(values);
  return engine().makeTensorFromTensorInfo(backend.output(shape, values), backend);
}

/**
 * The array of `variable` to update in place: its own if that is safe, else a private copy
 * that `variable` now holds. Null when the variable is not float32 on this backend.
 */
export function mutableArray(backend: NativeBackend, variable: Variable): Float32Array | null {
  const values = backend.f32(variable);
  if (!values) return null;
  if (isMutableInPlace(backend, variable)) return values;
  const copy = pooledTensor(backend, variable.shape, (out) => out.set(values));
  variable.assign(copy);
  copy.dispose();
  return backend.f32(variable);
}

/**
 * A zero-filled non-trainable variable on `backend` whose array is private from the start,
 * for optimizer state (so the first update needs no copy).
 */
export function privateZerosVariable(backend: NativeBackend, shape: number[], name?: string): Variable {
  const zeros = pooledTensor(backend, shape, (out) => out.fill(0));
  const variable = zeros.variable(false, name);
  zeros.dispose();
  return variable;
}

/** The gradient's float32 array if it matches the variable's size (else null: use tfjs ops). */
function gradArray(backend: NativeBackend, grad: Tensor, size: number): Float32Array | null {
  const g = backend.f32(grad);
  return g && g.length === size ? g : null;
}

/** SGD in place; false when the inputs are not float32 on this backend (use tfjs ops). */
export function sgdInPlace(
  backend: NativeBackend,
  param: Variable,
  grad: Tensor,
  learningRate: number,
): boolean {
  const g = gradArray(backend, grad, param.size);
  if (!g || param.dtype !== 'float32') return false;
  const p = mutableArray(backend, param);
  if (!p) return false;
  backend.addon.sgdUpdate(p, g, -learningRate);
  return true;
}

/** Momentum (optionally Nesterov) in place, `accum` included. */
export function momentumInPlace(
  backend: NativeBackend,
  param: Variable,
  grad: Tensor,
  accum: Variable,
  learningRate: number,
  momentum: number,
  nesterov: boolean,
): boolean {
  const g = gradArray(backend, grad, param.size);
  if (!g || param.dtype !== 'float32' || accum.dtype !== 'float32' || accum.size !== param.size) return false;
  const p = mutableArray(backend, param);
  const a = p && mutableArray(backend, accum);
  if (!p || !a) return false;
  backend.addon.momentumUpdate(p, g, a, -learningRate, momentum, nesterov);
  return true;
}

export interface AdamStep {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 - beta1^t and 1 - beta2^t for this step. */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
}

/** Adam in place, both moments included. */
export function adamInPlace(
  backend: NativeBackend,
  param: Variable,
  grad: Tensor,
  m: Variable,
  v: Variable,
  step: AdamStep,
): boolean {
  const g = gradArray(backend, grad, param.size);
  const statesOk = [m, v].every((s) => s.dtype === 'float32' && s.size === param.size);
  if (!g || param.dtype !== 'float32' || !statesOk) return false;
  const p = mutableArray(backend, param);
  const mv = p && mutableArray(backend, m);
  const vv = mv && mutableArray(backend, v);
  if (!p || !mv || !vv) return false;
  backend.addon.adamUpdate(
    p,
    g,
    mv,
    vv,
    -step.learningRate,
    step.beta1,
    1 - step.beta1,
    step.beta2,
    1 - step.beta2,
    step.oneMinusAccBeta1,
    step.oneMinusAccBeta2,
    step.epsilon,
  );
  return true;
}
