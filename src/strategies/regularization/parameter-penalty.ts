/**
 * The quadratic penalty shared by the importance-based regularisers (SI, MAS):
 * `strength * sum_i Omega_i (theta_i - theta*_i)^2`, with one importance tensor `Omega` and one
 * anchor `theta*` per trainable variable. The tensors are kept (outside any tidy) and disposed
 * when replaced and in `dispose()`.
 */
import * as tf from '../../engine/tf.js';
import { quadraticPenalty } from '../../engine/ops/quadratic-penalty.js';
import { DataFormatError } from '../../core/errors.js';
import { StateReader, type StateRecord, type StateValue } from '../../core/state.js';
import { tensorFromState, tensorState } from '../../engine/tensor-state.js';
import type { ModelGrowth } from '../../models/growth.js';

/** Saved tensors as a list (`tensorState` each), e.g. one importance per model variable. */
export function tensorsState(tensors: readonly tf.Tensor[]): StateValue[] {
  return tensors.map(tensorState);
}

/**
 * New tensors from `tensorsState`'s list; `shapes`, when given, is what each must have (and
 * their number). Nothing is left allocated when an entry is wrong.
 */
export function tensorsFromState(
  value: StateValue,
  where: string,
  shapes?: readonly (readonly number[])[],
): tf.Tensor[] {
  if (!Array.isArray(value)) throw new DataFormatError(where, 'expected a list of tensors');
  const list = value as readonly StateValue[];
  if (shapes && list.length !== shapes.length) {
    throw new DataFormatError(where, `expected ${shapes.length} tensors, got ${list.length}`);
  }
  const made: tf.Tensor[] = [];
  try {
    list.forEach((v, i) => made.push(tensorFromState(v, `${where}[${i}]`, shapes?.[i])));
  } catch (error) {
    made.forEach((t) => t.dispose());
    throw error;
  }
  return made;
}

export class ParameterPenalty {
  private importance: tf.Tensor[] = [];
  private anchors: tf.Tensor[] = [];

  /** True once importances and anchors have been set (after the first experience). */
  get active(): boolean {
    return this.importance.length > 0;
  }

  /** The current importances (one per variable), or an empty list before the first update. */
  get omega(): readonly tf.Tensor[] {
    return this.importance;
  }

  /**
   * Replaces the importances by `combine(old, fresh)` (or `fresh` the first time) and the
   * anchors by the variables' current values. Takes ownership of `fresh`.
   */
  update(
    variables: readonly tf.Variable[],
    fresh: tf.Tensor[],
    combine: (old: tf.Tensor, fresh: tf.Tensor) => tf.Tensor = tf.add,
  ): void {
    const next = fresh.map((f, i) => {
      if (!this.importance[i]) return f;
      const merged = tf.keep(tf.tidy(() => combine(this.importance[i], f)));
      f.dispose();
      return merged;
    });
    this.importance.forEach((t) => t.dispose());
    this.anchors.forEach((t) => t.dispose());
    this.importance = next;
    this.anchors = variables.map((v) => tf.keep(v.clone()));
  }

  /** `strength * sum_i Omega_i (theta_i - theta*_i)^2`; call inside a tidy. */
  term(variables: readonly tf.Variable[], strength: number): tf.Scalar {
    return quadraticPenalty(variables, this.anchors, this.importance, strength);
  }

  /** The model's head grew: the new outputs' weights get importance 0 (and anchor 0), unprotected. */
  grow(growth: ModelGrowth): void {
    if (!this.active) return;
    const importance = growth.aligned(this.importance);
    const anchors = growth.aligned(this.anchors);
    this.dispose();
    this.importance = importance;
    this.anchors = anchors;
  }

  /** The importances and anchors (none before the first update). */
  state(): StateRecord {
    return { importance: tensorsState(this.importance), anchors: tensorsState(this.anchors) };
  }

  /** Replaces importances and anchors by a `state()`'s; each anchor must have its importance's shape. */
  restore(value: StateValue, where: string): void {
    const state = new StateReader(value, where);
    const importance = tensorsFromState(state.raw('importance'), `${where}.importance`);
    let anchors: tf.Tensor[];
    try {
      anchors = tensorsFromState(
        state.raw('anchors'),
        `${where}.anchors`,
        importance.map((t) => t.shape),
      );
    } catch (error) {
      importance.forEach((t) => t.dispose());
      throw error;
    }
    this.dispose();
    this.importance = importance;
    this.anchors = anchors;
  }

  dispose(): void {
    this.importance.forEach((t) => t.dispose());
    this.anchors.forEach((t) => t.dispose());
    this.importance = [];
    this.anchors = [];
  }
}
