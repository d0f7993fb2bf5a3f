/**
 * One step of Synaptic Intelligence's path integral, `w - g * (theta - prev)`, as a native
 * kernel (src/native/addon/path-integral.cc). The op is src/engine/ops/path-integral.ts.
 *
 * `UnforgetPathIntegralStep`: inputs `{w, g, theta, prev}` (float32, equal sizes); output
 * `w - g * (theta - prev)`, shaped like `w`, in a fresh array (the inputs are never written).
 *
 * Registered for `native` only; there is no cpu kernel to fall back to, so the op only calls it
 * with float32 inputs of equal shapes (anything else runs the plain tf ops).
 */
import { nativeKernel } from '../kernel-util.js';

export const PATH_INTEGRAL_STEP = 'UnforgetPathIntegralStep';

export interface PathIntegralAddon {
  /** out = w - g * (theta - prev); every array has the same length. */
  pathIntegralStep(
    w: Float32Array,
    g: Float32Array,
    theta: Float32Array,
    prev: Float32Array,
    out: Float32Array,
  ): void;
}

export const pathIntegralStep = nativeKernel(PATH_INTEGRAL_STEP, ({ inputs, backend }) => {
  const { w, g, theta, prev } = inputs;
  const wv = backend.f32(w);
  const gv = backend.f32(g);
  const tv = backend.f32(theta);
  const pv = backend.f32(prev);
  if (!wv || !gv || !tv || !pv) throw new Error(`${PATH_INTEGRAL_STEP}: expected float32 inputs`);
  const out = backend.alloc(wv.length);
  backend.addon.pathIntegralStep(wv, gv, tv, pv, out);
  return backend.output(w.shape.slice(), out);
});

export const pathIntegralKernels = [pathIntegralStep];
