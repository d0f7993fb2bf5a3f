/**
 * Elastic Weight Consolidation (Kirkpatrick et al. 2017, "Overcoming catastrophic forgetting
 * in neural networks") and, in its online mode, Online EWC (Schwarz et al. 2018, "Progress &
 * Compress"; the strategy is online-ewc.ts).
 *
 * After each experience k the plugin stores the weights theta_k and the diagonal Fisher F_k
 * (fisher.ts) on that experience's training set. Training on later experiences adds
 *
 *   lambda/2 * sum_k sum_i F_k,i (theta_i - theta_k,i)^2
 *
 * to the loss. `separate` mode keeps one (theta_k, F_k) pair per past experience (memory grows
 * with the number of experiences); `online` mode keeps one running pair, F = gamma * F + F_new
 * and theta* = the weights after the latest experience.
 *
 * Every step pays for one quadratic whatever the number of past experiences: the sum over k is
 * the same function of theta as one anchor with F = sum_k F_k and centre
 * theta* = sum_k F_k theta_k / F, plus a constant (see mergeAnchors).
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import { quadraticPenalty } from '../../engine/ops/quadratic-penalty.js';
import type { Classifier } from '../../models/classifier.js';
import { ConfigError, DataFormatError } from '../../core/errors.js';
import { StateReader, type StateValue } from '../../core/state.js';
import { tensorsFromState, tensorsState } from './parameter-penalty.js';
import { diagonalFisher } from './fisher.js';
import type { Plugin } from '../../training/plugin.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';

/** EWC's options (`ewc` in a config). */
export const ewcOptions = z.strictObject({
  // Not a tuned value: its scale depends on the Fisher's normalisation (here a mean over
  // samples), the optimizer and the data. van de Ven & Tolias (2019) grid-search it per benchmark
  // and scenario; the defaults in their code range from 5e2 to 1e7 and more.
  lambda: z
    .number()
    .min(0)
    .default(5000)
    .describe(
      'strength: the penalty is lambda/2 · Σ F (θ−θ*)²; Mammoth and Avalanche write lambda · Σ F (θ−θ*)², so double a value carried over from them',
    ),
  fisherMode: z
    .enum(['empirical', 'expected', 'predicted'])
    .default('empirical')
    .describe(
      "the label the Fisher's log-likelihood is taken at: the true one, one drawn from the model's softmax, or its argmax (van de Ven & Tolias's code)",
    ),
  fisherSamples: z
    .union([z.number().int().positive(), z.literal('all')])
    .default('all')
    .describe("training samples per Fisher estimate (all: one batched pass over the experience's set)"),
});

/** Online EWC's options (`online-ewc`): EWC's and the running Fisher's decay. */
export const onlineEwcOptions = ewcOptions.extend({
  gamma: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe('decay of the running Fisher at each new experience: F = gamma F + F_new'),
});

export interface EwcOptions extends StrategyOptions, z.input<typeof ewcOptions> {
  /** `separate`: one penalty per past experience (Kirkpatrick); `online`: one running penalty (Schwarz). Default `separate`. */
  mode?: 'separate' | 'online';
  /** Online mode: decay of the running Fisher at each new experience, in [0, 1]. Default 1 (no decay). */
  gamma?: number;
  /**
   * Per-task strengths (task-importance.ts): past experience k's penalty is multiplied by
   * `taskWeights()[k]` (missing entries: 1), i.e. its Fisher is scaled before the anchors are
   * folded. Read after every step and at each experience's boundaries. `separate` mode only (the
   * online penalty has no per-experience part). Absent: every penalty at full strength.
   */
  taskWeights?: () => readonly number[];
}

/** What the penalty is anchored to: weights and their Fisher, one tensor per model variable. */
export interface EwcAnchor {
  readonly theta: readonly tf.Tensor[];
  readonly fisher: readonly tf.Tensor[];
}

/** A plugin with state to free: `dispose()` releases the stored weights and Fisher matrices. */
export interface EwcPlugin extends Plugin {
  /** The anchors the penalty currently uses (one per past experience, or one in online mode). */
  readonly anchors: () => readonly EwcAnchor[];
  dispose(): void;
}

/** lambda/2 * sum_k sum_i F_k,i (theta_i - theta_k,i)^2 as a scalar that gradients flow through. */
export function ewcPenalty(
  variables: readonly tf.Tensor[],
  anchors: readonly EwcAnchor[],
  lambda: number,
): tf.Scalar {
  // One fused penalty over every (anchor, variable) pair; an empty list gives 0.
  return quadraticPenalty(
    anchors.flatMap(() => variables),
    anchors.flatMap((a) => a.theta.slice(0, variables.length)),
    anchors.flatMap((a) => a.fisher.slice(0, variables.length)),
    lambda / 2,
  );
}

/**
 * One anchor and a constant with the same value and gradient as the sum over `anchors`:
 * sum_k F_k (t - t_k)^2 = F (t - c)^2 + sum_k F_k t_k^2 - F c^2, with F = sum_k F_k and
 * c = sum_k F_k t_k / F (c = 0 where F = 0, where every term is 0 anyway).
 */
export function mergeAnchors(anchors: readonly EwcAnchor[]): { anchor: EwcAnchor; constant: number } {
  const merged = anchors[0].theta.map((_, i) =>
    tf.tidy(() => {
      const fisher = tf.addN(anchors.map((a) => a.fisher[i]));
      const weighted = tf.addN(anchors.map((a) => tf.mul(a.fisher[i], a.theta[i])));
      const centre = tf.where(
        tf.greater(fisher, 0),
        tf.div(weighted, tf.maximum(fisher, 1e-30)),
        tf.zerosLike(fisher),
      );
      const constant = tf.sub(
        tf.sum(tf.addN(anchors.map((a) => tf.mul(a.fisher[i], tf.square(a.theta[i]))))),
        tf.sum(tf.mul(fisher, tf.square(centre))),
      );
      return { fisher: tf.keep(fisher), centre: tf.keep(centre), constant: constant.dataSync()[0] };
    }),
  );
  return {
    anchor: { theta: merged.map((m) => m.centre), fisher: merged.map((m) => m.fisher) },
    constant: merged.reduce((sum, m) => sum + m.constant, 0),
  };
}

export function ewcPlugin(options: EwcOptions = {}): EwcPlugin {
  const { mode = 'separate', seed = 0, taskWeights } = options;
  const { lambda, fisherMode, fisherSamples, gamma } =
    mode === 'online'
      ? methodOptions('online-ewc', onlineEwcOptions, options, ['mode', 'taskWeights'])
      : { ...methodOptions('ewc', ewcOptions, options, ['mode', 'taskWeights']), gamma: 1 };
  if (taskWeights && mode === 'online') {
    throw new ConfigError(
      'taskWeights',
      'expected separate mode: the online penalty has no per-experience part',
    );
  }
  /** The per-anchor weights the current fold uses (empty: all 1). */
  let folded: readonly number[] = [];
  let anchors: EwcAnchor[] = [];
  // What the loss uses: the anchors folded into one (`owned`: tensors of its own), or the
  // single anchor itself.
  let merged: { anchor: EwcAnchor; constant: number; owned: boolean } | undefined;
  const free = (a: EwcAnchor) => [...a.theta, ...a.fisher].forEach((t) => t.dispose());
  const releaseMerged = () => {
    if (merged?.owned) free(merged.anchor);
    merged = undefined;
  };
  const weightsNow = () => anchors.map((_, k) => taskWeights?.()[k] ?? 1);
  const refold = (weights: readonly number[] = weightsNow()) => {
    releaseMerged();
    folded = weights;
    if (folded.some((w) => w !== 1)) {
      // sum_k w_k F_k (t - t_k)^2: the anchors with their Fisher scaled, folded as usual.
      const scaled = anchors.map((a, k) => ({
        theta: a.theta,
        fisher: a.fisher.map((f) => tf.mul(f, folded[k])),
      }));
      merged = { ...mergeAnchors(scaled), owned: true };
      scaled.forEach((a) => a.fisher.forEach((f) => f.dispose()));
      return;
    }
    merged =
      anchors.length > 1
        ? { ...mergeAnchors(anchors), owned: true }
        : { anchor: anchors[0], constant: 0, owned: false };
  };
  /** Refolds when the weights moved since the last fold (outside any step's tidy). */
  const followWeights = () => {
    if (taskWeights && anchors.length && weightsNow().some((w, k) => w !== folded[k])) refold();
  };
  const snapshot = (model: Classifier) => model.variables.map((v) => tf.keep(v.clone()));
  const where = `checkpoint ${mode === 'online' ? 'online-ewc' : 'ewc'}`;
  /** The saved anchors as tensors, each Fisher of its weights' shapes; none left allocated on a wrong entry. */
  const anchorsFromState = (list: readonly StateValue[]): EwcAnchor[] => {
    const made: EwcAnchor[] = [];
    try {
      list.forEach((value, k) => {
        const anchor = new StateReader(value, `${where}.anchors[${k}]`);
        const theta = tensorsFromState(anchor.raw('theta'), `${where}.anchors[${k}].theta`);
        try {
          const shapes = theta.map((t) => t.shape);
          made.push({
            theta,
            fisher: tensorsFromState(anchor.raw('fisher'), `${where}.anchors[${k}].fisher`, shapes),
          });
        } catch (error) {
          theta.forEach((t) => t.dispose());
          throw error;
        }
      });
    } catch (error) {
      made.forEach(free);
      throw error;
    }
    return made;
  };

  return {
    name: mode === 'online' ? 'online-ewc' : 'ewc',
    anchors: () => anchors,
    ...(taskWeights ? { onExperienceStart: followWeights, onStepEnd: followWeights } : {}),
    onExperienceEnd: (ctx) => {
      const fisherNew = diagonalFisher(ctx.model, ctx.trainingSet, {
        samples: fisherSamples,
        mode: fisherMode,
        activeClasses: ctx.activeClasses,
        taskId: ctx.experience.taskId,
        seed: seed + ctx.experience.index,
      });
      const theta = snapshot(ctx.model);
      if (mode === 'separate' || anchors.length === 0) {
        anchors.push({ theta, fisher: fisherNew });
        refold();
        return;
      }
      const old = anchors[0];
      const fisher = fisherNew.map((f, i) => tf.tidy(() => tf.add(tf.mul(old.fisher[i], gamma), f)));
      fisherNew.forEach((f) => f.dispose());
      free(old);
      anchors = [{ theta, fisher }];
      refold();
    },
    // The new outputs' weights get Fisher 0 (and anchor 0) in every past penalty: unprotected.
    onModelGrown(growth) {
      if (!anchors.length) return;
      const grown = anchors.map((a) => ({
        theta: growth.aligned(a.theta),
        fisher: growth.aligned(a.fisher),
      }));
      releaseMerged();
      anchors.forEach(free);
      anchors = grown;
      refold(folded.length ? [...folded] : undefined);
    },
    lossTerms: (ctx) =>
      merged
        ? [
            tf.add(
              ewcPenalty(ctx.model.variables, [merged.anchor], lambda),
              (lambda / 2) * merged.constant,
            ) as tf.Scalar,
          ]
        : [],
    // The folded anchor is recomputed from the anchors at the weights it was folded with (the
    // same operations on the same values: the same bits), not from the weights read now.
    state: () => ({
      mode,
      anchors: anchors.map((a) => ({ theta: tensorsState(a.theta), fisher: tensorsState(a.fisher) })),
      folded: Float64Array.from(folded),
    }),
    restore(value) {
      const state = new StateReader(value, where);
      const savedMode = state.string('mode');
      if (savedMode !== mode) {
        throw new DataFormatError(where, `mode: expected '${mode}' (the options), got '${savedMode}'`);
      }
      const list = state.list('anchors');
      if (mode === 'online' && list.length > 1) {
        throw new DataFormatError(where, `anchors: expected at most 1 in online mode, got ${list.length}`);
      }
      const weights = state.raw('folded');
      if (!(weights instanceof Float64Array) || (list.length > 0 && weights.length !== list.length)) {
        throw new DataFormatError(where, `folded: expected ${list.length} float64 weights`);
      }
      const restored = anchorsFromState(list);
      releaseMerged();
      anchors.forEach(free);
      anchors = restored;
      folded = [];
      if (anchors.length) refold(Array.from(weights));
    },
    dispose: () => {
      releaseMerged();
      anchors.forEach(free);
      anchors = [];
    },
  };
}

/** EWC as a strategy: `fit({ ...ewc({ lambda: 1e4 }), stream, model, ... })`. */
export function ewc(options: EwcOptions = {}): Strategy {
  const plugin = ewcPlugin(options);
  return { name: plugin.name, plugins: [plugin, ...(options.plugins ?? [])] };
}

export const ewcDefinition = defineStrategy({
  name: 'ewc',
  family: 'regularization',
  description:
    'EWC (Kirkpatrick et al. 2017): a penalty per past experience, weighted by its diagonal Fisher',
  options: ewcOptions,
  taskFree: false,
  create: (options) => ewc({ ...options, mode: 'separate' }),
});
