/**
 * The quadratic penalty of EWC, SI and MAS, `strength * sum_v sum_i W_v,i (theta_v,i - C_v,i)^2`,
 * as native kernels (src/native/addon/penalty.cc). The op and its gradient are in
 * src/engine/ops/quadratic-penalty.ts.
 *
 * - `UnforgetQuadraticPenalty`: inputs `theta0, centre0, weight0, theta1, ...` (equal sizes,
 *   float32), attrs `count` (variables) and `strength`; output the scalar penalty.
 * - `UnforgetQuadraticPenaltyGrad`: inputs `{dy, theta, centre, weight}`, attr `strength`;
 *   output `2 * strength * dy * weight * (theta - centre)`, shaped like theta.
 *
 * Registered for `native` only; there is no cpu kernel to fall back to, so the op only calls
 * them with float32 inputs of matching sizes (anything else runs the plain tf ops).
 */
import { nativeKernel } from '../kernel-util.js';

export const QUADRATIC_PENALTY = 'UnforgetQuadraticPenalty';
export const QUADRATIC_PENALTY_GRAD = 'UnforgetQuadraticPenaltyGrad';

export interface PenaltyAddon {
  /** sum_v sum_i w_v[i] (t_v[i] - c_v[i])^2, accumulated in double; unscaled. */
  quadraticPenalty(thetas: Float32Array[], centres: Float32Array[], weights: Float32Array[]): number;
  /** out = scale * w (t - c); every array has the same length. */
  quadraticPenaltyGrad(
    theta: Float32Array,
    centre: Float32Array,
    weight: Float32Array,
    out: Float32Array,
    scale: number,
  ): void;
}

/** The kernel input names of variable `v`. */
export const penaltyInputNames = (v: number) => [`theta${v}`, `centre${v}`, `weight${v}`] as const;

export const quadraticPenaltyForward = nativeKernel(QUADRATIC_PENALTY, ({ inputs, backend, attrs }) => {
  const count = attrs.count as number;
  const arrays: Float32Array[][] = [[], [], []];
  for (let v = 0; v < count; v++) {
    penaltyInputNames(v).forEach((name, k) => {
      const values = backend.f32(inputs[name]);
      if (!values) throw new Error(`${QUADRATIC_PENALTY}: ${name} is not float32`);
      arrays[k].push(values);
    });
  }
  const sum = backend.addon.quadraticPenalty(arrays[0], arrays[1], arrays[2]);
  const out = backend.alloc(1);
  out[0] = (attrs.strength as number) * sum;
  return backend.output([], out);
});

export const quadraticPenaltyGrad = nativeKernel(QUADRATIC_PENALTY_GRAD, ({ inputs, backend, attrs }) => {
  const { dy, theta, centre, weight } = inputs;
  const dyv = backend.f32(dy);
  const tv = backend.f32(theta);
  const cv = backend.f32(centre);
  const wv = backend.f32(weight);
  if (!dyv || !tv || !cv || !wv) throw new Error(`${QUADRATIC_PENALTY_GRAD}: expected float32 inputs`);
  const out = backend.alloc(tv.length);
  backend.addon.quadraticPenaltyGrad(tv, cv, wv, out, 2 * (attrs.strength as number) * dyv[0]);
  return backend.output(theta.shape.slice(), out);
});

export const penaltyKernels = [quadraticPenaltyForward, quadraticPenaltyGrad];
