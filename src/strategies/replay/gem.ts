/**
 * Gradient Episodic Memory, GEM (Lopez-Paz & Ranzato 2017), as Mammoth's `models/gem.py` (which
 * follows the authors' code). An episodic memory keeps `bufferSize // T` random examples of each
 * finished experience (episodic-memory.ts). At every step the gradient g_k of the loss on each
 * past experience k's memory is computed; when the new batch's gradient g has a negative dot
 * product with any of them, g is replaced by the closest vector (in L2) that has none, found
 * through the dual of that projection, a quadratic program in one variable per past experience:
 *
 *     min_v 1/2 v'(G G' + ridge I) v + (G g)' v   s.t.   v >= gamma,      g~ = G' v + g,
 *
 * G holding the g_k as rows. As in the reference code, the margin `gamma` bounds the multipliers
 * from below (a larger one pushes g~ further towards the past gradients) and the small `ridge`
 * keeps the program strictly convex when past gradients are nearly parallel. The program is
 * solved exactly in float64 by src/core/qp.ts (after the shift u = v - gamma, u >= 0).
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import { solveNonNegativeQp } from '../../core/qp.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';
import {
  episodicBufferSize,
  episodicMemoryPlugin,
  memoryGradient,
  type EpisodicMemoryPlugin,
} from './episodic-memory.js';

/** GEM's options (`gem` in a config). */
export const gemOptions = z.strictObject({
  bufferSize: episodicBufferSize,
  // Mammoth's `--gamma`; its Seq-MNIST best arguments: 0.5.
  gamma: z
    .number()
    .min(0)
    .default(0.5)
    .describe(
      'margin: lower bound of the dual variables, a larger one pushes the step towards past gradients',
    ),
  // The reference code's `eps`.
  ridge: z.number().min(0).default(1e-3).describe("added to the diagonal of G G'"),
});

/** `seed` (default 0) fixes which examples are remembered. */
export type GemOptions = StrategyOptions & z.input<typeof gemOptions>;

/** Its `memory` is null until the first experience starts; its `taskIds` are experience indices. */
export type GemPlugin = EpisodicMemoryPlugin;

/**
 * GEM's projection of `g` against the past gradients `pastGradients` ([k, p]): `g` itself when no
 * dot product is negative, else `G' v + g` with v the solution of the dual program above.
 */
export function gemProjection(
  g: tf.Tensor1D,
  pastGradients: tf.Tensor2D,
  gamma: number,
  ridge: number,
): tf.Tensor1D {
  const k = pastGradients.shape[0];
  const gg = tf.reshape(g, [-1, 1]);
  const q = tf.matMul(pastGradients, gg).dataSync();
  if (q.every((d) => d >= 0)) return g;
  const gram = tf.matMul(pastGradients, pastGradients, false, true).dataSync();
  const p = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++)
      p[i * k + j] = 0.5 * (gram[i * k + j] + gram[j * k + i]) + (i === j ? ridge : 0);
  }
  // v = u + gamma: 1/2 u'Pu + (q + gamma P 1)'u, u >= 0.
  const c = Float64Array.from(
    q,
    (qi, i) => qi + gamma * p.subarray(i * k, (i + 1) * k).reduce((a, b) => a + b, 0),
  );
  const u = solveNonNegativeQp(p, c).x;
  const v = tf.tensor2d(
    Float32Array.from(u, (ui) => ui + gamma),
    [1, k],
  );
  return tf.add(g, tf.reshape(tf.matMul(v, pastGradients), [-1])) as tf.Tensor1D;
}

export function gemPlugin(options: GemOptions = {}): GemPlugin {
  const { seed = 0 } = options;
  const { bufferSize, gamma, ridge } = methodOptions('gem', gemOptions, options);
  return episodicMemoryPlugin('gem', bufferSize, seed, (ctx, memory, _rng, g) => {
    const experiences = [...new Set(memory.taskIds.subarray(0, memory.size))];
    // One gradient per past experience, each on all of its remembered examples.
    const past = experiences.map((e) => {
      const slots = Int32Array.from({ length: memory.size }, (_, s) => s).filter(
        (s) => memory.taskIds[s] === e,
      );
      return memoryGradient(ctx, memory.read(slots), ctx.trainingSet.sampleShape);
    });
    return gemProjection(g, tf.stack(past) as tf.Tensor2D, gamma, ridge);
  });
}

/** GEM as a strategy: `fit({ ...gem({ bufferSize: 200 }), stream, model, optimizer, ... })`. */
export function gem(options: GemOptions = {}): Strategy {
  return { name: 'gem', plugins: [gemPlugin(options), ...(options.plugins ?? [])] };
}

export const gemDefinition = defineStrategy({
  name: 'gem',
  family: 'replay',
  description: 'GEM (Lopez-Paz & Ranzato 2017): a small quadratic program per step',
  options: gemOptions,
  taskFree: false,
  create: gem,
});
