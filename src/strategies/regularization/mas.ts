/**
 * Memory Aware Synapses (Aljundi et al., 2018). A parameter matters as much as the model's
 * output moves when it moves: at the end of each experience, over samples x of its training set,
 * `Omega_i = mean_x |d ||f(x)||_2^2 / d theta_i|`, `f(x)` the logits (no labels needed). The
 * importances accumulate across experiences (`Omega = decay * Omega + Omega_new`), the anchor
 * `theta*` is set to the current parameters, and later experiences add the penalty
 * `lambda * sum_i Omega_i (theta_i - theta*_i)^2`.
 *
 * The absolute value is taken per sample, as in the paper (exactly, for a whole batch at once on
 * models with `perSampleGradientSums`); `samples` caps how many are used (evenly spaced over the
 * training set).
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import type { ExperienceContext, Plugin } from '../../training/plugin.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { ParameterPenalty } from './parameter-penalty.js';
import { defineStrategy, methodOptions } from '../definition.js';

export const masOptions = z.strictObject({
  lambda: z.number().min(0).default(1).describe('strength of the penalty lambda · Σ Ω (θ−θ*)²'),
  decay: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe('factor on the old importances before the new ones are added (1: a plain sum)'),
  samples: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('most training samples the importances are estimated on (default: all)'),
});

export type MasOptions = StrategyOptions & z.input<typeof masOptions>;

export interface MasPlugin extends Plugin {
  /** The importances `Omega`, one per model variable (empty before the first experience ends). */
  readonly importance: readonly tf.Tensor[];
  dispose(): void;
}

export interface MasImportanceOptions {
  /** Output columns whose squares count in `||f(x)||^2`. Default: all. */
  activeClasses?: readonly number[];
  /** Samples per batch when the model has `perSampleGradientSums`. Default 256. */
  batchSize?: number;
}

/**
 * `mean_x |d ||f(x)||^2 / d theta|` per variable over (at most `samples`) training samples.
 * Models with `perSampleGradientSums` give the per-sample absolute values for a whole batch at
 * once (d ||f||^2 / df = 2 f); others take one backward per sample.
 */
export function masImportance(
  ctx: ExperienceContext,
  samples: number,
  options: MasImportanceOptions = {},
): tf.Tensor[] {
  const { model, trainingSet } = ctx;
  const taskId = ctx.experience.taskId;
  const total = trainingSet.y.length;
  const count = Math.min(samples, total);
  const size = trainingSet.sampleShape.reduce((a, b) => a * b, 1);
  const active = options.activeClasses ?? Array.from({ length: model.numClasses }, (_, c) => c);
  const columns = new Float32Array(model.numClasses);
  active.forEach((c) => (columns[c] = 1));
  const mask = tf.tensor1d(columns);
  const step = model.perSampleGradientSums ? Math.min(options.batchSize ?? 256, Math.max(count, 1)) : 1;
  let sums: tf.Tensor[] = model.variables.map((v) => tf.keep(tf.zerosLike(v)));
  for (let start = 0; start < count; start += step) {
    const n = Math.min(step, count - start);
    const next = tf.tidy(() => {
      const x = tf.tensor(rows(trainingSet.x, start, n, count, total, size), [n, ...trainingSet.sampleShape]);
      const batch = model.perSampleGradientSums
        ? model.perSampleGradientSums(x, taskId, (z) => tf.mul(tf.mul(z, 2), mask), 1)
        : absoluteGradients(ctx, x, mask);
      return sums.map((s, i) => tf.add(s, batch[i]));
    });
    sums.forEach((t) => t.dispose());
    sums = next;
  }
  mask.dispose();
  const means = tf.tidy(() => sums.map((s) => tf.div(s, Math.max(count, 1))));
  sums.forEach((t) => t.dispose());
  return means;
}

/** Samples start..start+n-1 of `count` evenly spaced over the `total` training samples. */
function rows(x: Float32Array, start: number, n: number, count: number, total: number, size: number) {
  const out = new Float32Array(n * size);
  for (let i = 0; i < n; i++) {
    const j = Math.floor(((start + i) * total) / count);
    out.set(x.subarray(j * size, (j + 1) * size), i * size);
  }
  return out;
}

/** The fallback: `|d ||f(x) * mask||^2 / d theta|` by one backward pass for one sample. */
function absoluteGradients(ctx: ExperienceContext, x: tf.Tensor, mask: tf.Tensor): tf.Tensor[] {
  const variables = ctx.model.variables;
  const { grads } = tf.variableGrads(
    () => tf.sum(tf.mul(tf.square(ctx.model.logits(x, ctx.experience.taskId)), mask)) as tf.Scalar,
    [...variables],
  );
  return variables.map((v) => (grads[v.name] ? tf.abs(grads[v.name]) : tf.zerosLike(v)));
}

export function masPlugin(options: MasOptions = {}): MasPlugin {
  const { lambda, decay, samples = Infinity } = methodOptions('mas', masOptions, options);
  const penalty = new ParameterPenalty();
  return {
    name: 'mas',
    get importance() {
      return penalty.omega;
    },
    lossTerms: (ctx) => (penalty.active ? [penalty.term(ctx.model.variables, lambda)] : []),
    onExperienceEnd(ctx) {
      penalty.update(
        ctx.model.variables,
        masImportance(ctx, samples, { activeClasses: ctx.activeClasses }),
        (old, fresh) => tf.add(tf.mul(old, decay), fresh),
      );
    },
    onModelGrown: (growth) => penalty.grow(growth),
    state: () => penalty.state(),
    restore: (value) => penalty.restore(value, 'checkpoint mas'),
    dispose: () => penalty.dispose(),
  };
}

/** MAS as a strategy: `fit({ ...mas({ lambda: 1 }), stream, model, ... })`. */
export function mas(options: MasOptions = {}): Strategy {
  return { name: 'mas', plugins: [masPlugin(options), ...(options.plugins ?? [])] };
}

export const masDefinition = defineStrategy({
  name: 'mas',
  family: 'regularization',
  description:
    "Memory Aware Synapses (Aljundi et al. 2018): importances from the output's sensitivity, no labels",
  options: masOptions,
  taskFree: false,
  create: mas,
});
