/**
 * NTM heads (Graves et al. 2014, sections 3.2-3.3): a group of read heads or of write heads,
 * whose parameters the controller output emits through one dense map per parameter kind, for all
 * heads of the group at once (separate maps rather than one map sliced afterwards: slicing and
 * splitting along inner axes are ~10x slower than a small matmul on the CPU backends).
 * Per head: key k (M), strength beta (1), gate g (1), shift kernel s (2R+1), sharpening gamma (1);
 * per write head also erase e (M) and add a (M).
 *
 * Constraints: beta = softplus (>= 0), g = sigmoid, s = softmax, gamma = 1 + softplus (>= 1),
 * e = sigmoid; keys are left linear (cosine similarity ignores their scale; beta sets sharpness);
 * add vectors go through tanh, which bounds memory contents: the role the clipping of controller
 * outputs plays in public NTM implementations (Collier & Beel 2018), in one op.
 */
import * as tf from '../../engine/tf.js';
import type { Rng } from '../../core/random.js';
import type { AddressingParams } from './addressing.js';
import { dense, type Dense } from './dense.js';

export interface HeadGroupOptions {
  heads: number;
  memoryWidth: number;
  /** 2R+1 for shifts -R..R. */
  shiftWidth: number;
  /** Write heads also emit erase and add vectors. */
  write: boolean;
  /** Initial bias of the interpolation gates g (default 0: g = 0.5 at the start). */
  gateBias?: number;
}

export interface HeadParams extends AddressingParams {
  /** [B, H, M]; write heads only. */
  erase?: tf.Tensor3D;
  /** [B, H, M]; write heads only. */
  add?: tf.Tensor3D;
}

export interface HeadGroup {
  variables: tf.Variable[];
  /** The constrained parameters of every head of the group from the controller output [B, C]. */
  apply(controllerOutput: tf.Tensor2D): HeadParams;
}

export function headGroup(rng: Rng, controllerSize: number, o: HeadGroupOptions): HeadGroup {
  const { heads: h, memoryWidth: m } = o;
  const maps = {
    key: dense(rng, controllerSize, h * m),
    strength: dense(rng, controllerSize, h),
    gate: dense(rng, controllerSize, h, new Float32Array(h).fill(o.gateBias ?? 0)),
    shift: dense(rng, controllerSize, h * o.shiftWidth),
    gamma: dense(rng, controllerSize, h),
    ...(o.write ? { erase: dense(rng, controllerSize, h * m), add: dense(rng, controllerSize, h * m) } : {}),
  };
  const all: Dense[] = Object.values(maps);
  return {
    variables: all.flatMap((d) => d.variables),
    apply: (c) => {
      const b = c.shape[0];
      const perSlot = (d: Dense, width: number) => tf.reshape(d.apply(c), [b, h, width]) as tf.Tensor3D;
      return {
        keys: perSlot(maps.key, m),
        strengths: tf.softplus(maps.strength.apply(c)),
        gates: tf.sigmoid(maps.gate.apply(c)),
        shifts: tf.softmax(perSlot(maps.shift, o.shiftWidth)),
        gammas: tf.add(1, tf.softplus(maps.gamma.apply(c))),
        ...(maps.erase && maps.add
          ? { erase: tf.sigmoid(perSlot(maps.erase, m)), add: tf.tanh(perSlot(maps.add, m)) }
          : {}),
      };
    },
  };
}
