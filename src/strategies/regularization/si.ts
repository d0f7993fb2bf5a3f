/**
 * Synaptic Intelligence (Zenke, Poole & Ganguli, 2017). While training on an experience, each
 * parameter accumulates its contribution to the drop in the task loss along the training path,
 * `w_i += -g_i * delta_theta_i` per step. At the experience's end the importance grows by
 * `Omega_i += w_i / (Delta_i^2 + xi)`, `Delta_i` the parameter's total change over the
 * experience; `w` is reset and the anchor `theta*` set to the current parameters. Later
 * experiences add the penalty `c * sum_i Omega_i (theta_i - theta*_i)^2`.
 *
 * The step's gradient `g` is the one the optimizer applies (the template hands it to
 * `onGradients`): the gradient of the total loss, SI's own penalty included, at the parameters
 * before the step, as in Zenke et al.'s and van de Ven & Tolias's code; it costs no extra pass.
 * Like both, contributions are not clipped: a parameter whose moves raised the loss gets a
 * negative `w`.
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import type { ExperienceContext, Plugin } from '../../training/plugin.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { ParameterPenalty, tensorsFromState, tensorsState } from './parameter-penalty.js';
import { pathIntegralStep } from '../../engine/ops/path-integral.js';
import { StateReader } from '../../core/state.js';
import { defineStrategy, methodOptions } from '../definition.js';

export const siOptions = z.strictObject({
  c: z
    .number()
    .min(0)
    .default(0.1)
    .describe("strength of the penalty c · Σ Ω (θ−θ*)² (Zenke et al.'s value on split MNIST)"),
  xi: z.number().positive().default(0.1).describe("damping of the importance's denominator"),
});

export type SiOptions = StrategyOptions & z.input<typeof siOptions>;

export interface SiPlugin extends Plugin {
  /** The importances `Omega`, one per model variable (empty before the first experience ends). */
  readonly importance: readonly tf.Tensor[];
  dispose(): void;
}

export function siPlugin(options: SiOptions = {}): SiPlugin {
  const { c, xi } = methodOptions('si', siOptions, options);
  const penalty = new ParameterPenalty();
  let start: tf.Tensor[] = [];
  let zeros: tf.Tensor[] = [];
  let pathIntegral: tf.Tensor[] = [];
  // The gradient of the latest step, kept from onGradients to onStepEnd.
  let gradients: (tf.Tensor | undefined)[] = [];
  // -g * (theta_after - theta_before) is added in two halves, +g * theta_before before the update
  // and -g * theta_after after it, so no copy of the parameters is kept from step to step (a
  // kept copy would also cost the in-place optimizer a private copy of every variable per step).
  const accumulate = (variables: readonly tf.Variable[], before: boolean) => {
    const next = tf.tidy(() =>
      variables.map((v, i) => {
        const g = gradients[i];
        if (!g) return pathIntegral[i].clone();
        return before
          ? pathIntegralStep(pathIntegral[i], g, zeros[i], v)
          : pathIntegralStep(pathIntegral[i], g, v, zeros[i]);
      }),
    );
    pathIntegral.forEach((t) => t.dispose());
    pathIntegral = next.map((t) => tf.keep(t));
  };
  const release = () => {
    [start, zeros, pathIntegral].forEach((ts) => ts.forEach((t) => t.dispose()));
    gradients.forEach((t) => t?.dispose());
    gradients = [];
  };
  const snapshot = (ctx: ExperienceContext) => ctx.model.variables.map((v) => tf.keep(v.clone()));

  return {
    name: 'si',
    get importance() {
      return penalty.omega;
    },
    onExperienceStart(ctx) {
      release();
      start = snapshot(ctx);
      zeros = ctx.model.variables.map((v) => tf.keep(tf.zerosLike(v)));
      pathIntegral = ctx.model.variables.map((v) => tf.keep(tf.zerosLike(v)));
    },
    lossTerms: (ctx) => (penalty.active ? [penalty.term(ctx.model.variables, c)] : []),
    onGradients(ctx) {
      gradients.forEach((t) => t?.dispose());
      gradients = ctx.grads.map((g) => (g ? tf.keep(g.clone()) : undefined));
      accumulate(ctx.model.variables, true);
    },
    onStepEnd(ctx) {
      accumulate(ctx.model.variables, false);
      gradients.forEach((t) => t?.dispose());
      gradients = [];
    },
    onExperienceEnd(ctx) {
      const variables = ctx.model.variables;
      const fresh = tf.tidy(() =>
        variables.map((v, i) => tf.div(pathIntegral[i], tf.add(tf.square(tf.sub(v, start[i])), xi))),
      );
      penalty.update(
        variables,
        fresh.map((t) => tf.keep(t)),
      );
      release();
      start = zeros = pathIntegral = [];
    },
    // Grown outputs start their path integral (and their start point, their importance) at 0.
    onModelGrown(growth) {
      penalty.grow(growth);
      const grow = (tensors: tf.Tensor[]) => {
        const grown = growth.aligned(tensors);
        tensors.forEach((t) => t.dispose());
        return grown;
      };
      start = grow(start);
      zeros = grow(zeros);
      pathIntegral = grow(pathIntegral);
    },
    // Between steps `gradients` is empty; inside an experience the start point and path integral
    // are kept (the zeros are only a same-shape constant), between experiences nothing is.
    state: () => ({
      penalty: penalty.state(),
      start: tensorsState(start),
      pathIntegral: tensorsState(pathIntegral),
    }),
    restore(value) {
      const state = new StateReader(value, 'checkpoint si');
      const restoredStart = tensorsFromState(state.raw('start'), 'checkpoint si.start');
      let restoredPath: tf.Tensor[] = [];
      try {
        restoredPath = tensorsFromState(
          state.raw('pathIntegral'),
          'checkpoint si.pathIntegral',
          restoredStart.map((t) => t.shape),
        );
        penalty.restore(state.raw('penalty'), 'checkpoint si.penalty');
      } catch (error) {
        [...restoredStart, ...restoredPath].forEach((t) => t.dispose());
        throw error;
      }
      release();
      start = restoredStart;
      pathIntegral = restoredPath;
      zeros = start.map((t) => tf.keep(tf.zerosLike(t)));
    },
    dispose() {
      release();
      start = zeros = pathIntegral = [];
      penalty.dispose();
    },
  };
}

/** SI as a strategy: `fit({ ...si({ c: 0.1 }), stream, model, ... })`. */
export function si(options: SiOptions = {}): Strategy {
  return { name: 'si', plugins: [siPlugin(options), ...(options.plugins ?? [])] };
}

export const siDefinition = defineStrategy({
  name: 'si',
  family: 'regularization',
  description: "Synaptic Intelligence (Zenke et al. 2017): importances from each parameter's path integral",
  options: siOptions,
  taskFree: false,
  create: si,
});
