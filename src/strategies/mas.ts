/**
 * Memory Aware Synapses (Aljundi et al., 2018). A parameter matters as much as the model's
 * output moves when it moves: at the end of each experience, over samples x of its training set,
 * `Omega_i = mean_x |d ||f(x)||_2^2 / d theta_i|`, `f(x)` the logits (no labels needed). The
 * importances accumulate across experiences (`Omega = decay * Omega + Omega_new`), the anchor
 * `theta*` is set to the current parameters, and later experiences add the penalty
 * `lambda * sum_i Omega_i (theta_i - theta*_i)^2`.
 *
 * The absolute value is taken per sample, as in the paper, so each sample costs one backward
 * pass; `samples` caps how many are used (evenly spaced over the training set).
 */
import * as tf from '../engine/tf.js';
import type { ExperienceContext, Plugin } from './plugin.js';
import type { Strategy, StrategyOptions } from './strategy.js';
import { ParameterPenalty } from './parameter-penalty.js';

export interface MasOptions extends StrategyOptions {
  /** Strength `lambda` of the penalty. Default 1. */
  lambda?: number;
  /** Factor applied to the old importances before adding the new ones. Default 1 (a plain sum). */
  decay?: number;
  /** Most training samples used to estimate the importances. Default 500. */
  samples?: number;
}

export interface MasPlugin extends Plugin {
  /** The importances `Omega`, one per model variable (empty before the first experience ends). */
  readonly importance: readonly tf.Tensor[];
  dispose(): void;
}

/** `mean_x |d ||f(x)||^2 / d theta|` per variable over (at most `samples`) training samples. */
export function masImportance(ctx: ExperienceContext, samples: number): tf.Tensor[] {
  const { model, trainingSet } = ctx;
  const variables = model.variables;
  const total = trainingSet.y.length;
  const count = Math.min(samples, total);
  const size = trainingSet.sampleShape.reduce((a, b) => a * b, 1);
  let sums: tf.Tensor[] = variables.map((v) => tf.keep(tf.zerosLike(v)));
  for (let k = 0; k < count; k++) {
    const j = Math.floor((k * total) / count);
    const next = tf.tidy(() => {
      const x = tf.tensor(trainingSet.x.subarray(j * size, (j + 1) * size), [1, ...trainingSet.sampleShape]);
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.square(model.logits(x, ctx.experience.taskId))) as tf.Scalar,
        [...variables],
      );
      return variables.map((v, i) =>
        grads[v.name] ? tf.add(sums[i], tf.abs(grads[v.name])) : sums[i].clone(),
      );
    });
    sums.forEach((t) => t.dispose());
    sums = next.map((t) => tf.keep(t));
  }
  const means = tf.tidy(() => sums.map((s) => tf.div(s, Math.max(count, 1))));
  sums.forEach((t) => t.dispose());
  return means.map((t) => tf.keep(t));
}

export function masPlugin(options: MasOptions = {}): MasPlugin {
  const lambda = options.lambda ?? 1;
  const decay = options.decay ?? 1;
  const samples = options.samples ?? 500;
  const penalty = new ParameterPenalty();
  return {
    name: 'mas',
    get importance() {
      return penalty.omega;
    },
    lossTerms: (ctx) => (penalty.active ? [penalty.term(ctx.model.variables, lambda)] : []),
    onExperienceEnd(ctx) {
      penalty.update(ctx.model.variables, masImportance(ctx, samples), (old, fresh) =>
        tf.add(tf.mul(old, decay), fresh),
      );
    },
    dispose: () => penalty.dispose(),
  };
}

/** MAS as a strategy: `fit({ ...mas({ lambda: 1 }), stream, model, ... })`. */
export function mas(options: MasOptions = {}): Strategy {
  return { name: 'mas', plugins: [masPlugin(options), ...(options.plugins ?? [])] };
}
