/**
 * The quadratic penalty shared by the importance-based regularisers (SI, MAS):
 * `strength * sum_i Omega_i (theta_i - theta*_i)^2`, with one importance tensor `Omega` and one
 * anchor `theta*` per trainable variable. The tensors are kept (outside any tidy) and disposed
 * when replaced and in `dispose()`.
 */
import * as tf from '../engine/tf.js';
import { quadraticPenalty } from '../engine/ops/quadratic-penalty.js';

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

  dispose(): void {
    this.importance.forEach((t) => t.dispose());
    this.anchors.forEach((t) => t.dispose());
    this.importance = [];
    this.anchors = [];
  }
}
