/**
 * Learning without Forgetting (Li & Hoiem, 2017). At the end of each experience the model is
 * frozen; while learning later experiences, the current model is asked to keep the frozen
 * model's outputs on the new data, by the distillation loss
 * `alpha * T^2 * KL(softmax(old / T) || softmax(new / T))` (mean over the batch):
 * - task-IL: for every earlier task, on that task's head and classes;
 * - class-IL: on the classes seen before the current experience;
 * - otherwise (domain-IL, ...): on all outputs.
 *
 * A `Classifier` cannot copy itself, so the frozen model is built once by the `copyModel`
 * factory (a fresh model of the same architecture, e.g. `() => mlp(sameOptions)`) and its
 * variables are overwritten with the trained model's at every experience's end. It is
 * disposed in `dispose()`.
 */
import * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';
import type { Classifier } from '../models/classifier.js';
import type { LossContext, Plugin } from './plugin.js';
import type { Strategy, StrategyOptions } from './strategy.js';

export interface LwfOptions extends StrategyOptions {
  /** Makes a fresh model with the trained model's architecture (its variables in the same order). */
  copyModel: () => Classifier;
  /** Weight of the distillation loss; one per experience (the last repeats). Default 1. */
  alpha?: number | readonly number[];
  /** Softmax temperature `T`. Default 2. */
  temperature?: number;
}

export interface LwfPlugin extends Plugin {
  dispose(): void;
}

/** `T^2 * mean_rows KL(softmax(old / T) || softmax(new / T))` on the given columns. */
export function distillation(oldLogits: tf.Tensor2D, newLogits: tf.Tensor2D, t: number): tf.Scalar {
  const oldLog = tf.logSoftmax(tf.div(oldLogits, t));
  const newLog = tf.logSoftmax(tf.div(newLogits, t));
  const kl = tf.sum(tf.mul(tf.exp(oldLog), tf.sub(oldLog, newLog)), 1);
  return tf.mul(tf.mean(kl), t * t) as tf.Scalar;
}

export function lwfPlugin(options: LwfOptions): LwfPlugin {
  const t = options.temperature ?? 2;
  const alphas = typeof options.alpha === 'number' ? [options.alpha] : (options.alpha ?? [1]);
  if (!alphas.length) throw new ConfigError('alpha', 'expected a number or a non-empty list of numbers');
  if (!(t > 0)) throw new ConfigError('temperature', `expected a positive number, got ${t}`);
  let frozen: Classifier | null = null;
  /** The experiences trained on so far: their task ids and classes. */
  const seen: { taskId: number; classes: readonly number[] }[] = [];

  const term = (ctx: LossContext, f: Classifier): tf.Scalar[] => {
    const columns = (logits: tf.Tensor2D, classes: readonly number[]) =>
      tf.gather(logits, tf.tensor1d([...classes], 'int32'), 1) as tf.Tensor2D;
    if (ctx.stream.scenario === 'task-il') {
      return seen.map(({ taskId, classes }) =>
        distillation(
          columns(f.logits(ctx.x, taskId), classes),
          columns(ctx.model.logits(ctx.x, taskId), classes),
          t,
        ),
      );
    }
    const old = f.logits(ctx.x, ctx.taskId);
    if (ctx.stream.scenario === 'class-il') {
      const classes = [...new Set(seen.flatMap((s) => s.classes))].sort((a, b) => a - b);
      return [distillation(columns(old, classes), columns(ctx.logits, classes), t)];
    }
    return [distillation(old, ctx.logits, t)];
  };

  return {
    name: 'lwf',
    lossTerms(ctx) {
      if (!frozen) return [];
      const alpha = alphas[Math.min(ctx.experience.index, alphas.length - 1)];
      return [tf.mul(tf.addN(term(ctx, frozen)), alpha) as tf.Scalar];
    },
    onExperienceEnd(ctx) {
      frozen ??= options.copyModel();
      const source = ctx.model.variables;
      if (frozen.variables.length !== source.length) {
        throw new ConfigError(
          'copyModel',
          `expected a model with ${source.length} variables, got ${frozen.variables.length}`,
        );
      }
      frozen.variables.forEach((v, i) => v.assign(source[i]));
      seen.push({ taskId: ctx.experience.taskId, classes: ctx.experience.classes });
    },
    dispose() {
      frozen?.dispose();
      frozen = null;
    },
  };
}

/** LwF as a strategy: `fit({ ...lwf({ copyModel: () => mlp(opts) }), stream, model: mlp(opts), ... })`. */
export function lwf(options: LwfOptions): Strategy {
  return { name: 'lwf', plugins: [lwfPlugin(options), ...(options.plugins ?? [])] };
}
