/**
 * Averaged Gradient Episodic Memory, A-GEM (Chaudhry et al. 2019, "Efficient Lifelong Learning
 * with A-GEM"), as Mammoth's `models/agem.py`. An episodic memory keeps `bufferSize // T` random
 * examples of each finished experience (episodic-memory.ts). At every step, with g the gradient
 * of the new batch's loss and g_ref the gradient of the loss on `minibatchSize` examples drawn
 * from the memory, the update must not increase the memory's loss to first order: when
 * g . g_ref < 0, g is replaced by its projection onto the half-space g . g_ref >= 0,
 *
 *     g~ = g - (g . g_ref / g_ref . g_ref) g_ref,
 *
 * and kept as it is otherwise. One reference gradient for the whole memory (GEM keeps one per
 * past experience and solves a quadratic program) is what makes A-GEM cheap.
 */
import { z } from 'zod';
import * as tf from '../../engine/tf.js';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';
import { dot } from '../../engine/ops/gradient-vector.js';
import {
  episodicBufferSize,
  episodicMemoryPlugin,
  memoryGradient,
  type EpisodicMemoryPlugin,
} from './episodic-memory.js';

/** A-GEM's options (`agem` in a config). */
export const agemOptions = z.strictObject({
  bufferSize: episodicBufferSize,
  // Mammoth's Seq-MNIST best arguments.
  minibatchSize: z.number().int().positive().default(128).describe('memory examples per reference gradient'),
});

/** `seed` (default 0) fixes which examples are remembered and which are drawn for each reference gradient. */
export type AgemOptions = StrategyOptions & z.input<typeof agemOptions>;

/** Its `memory` is null until the first experience starts; its `taskIds` are experience indices. */
export type AgemPlugin = EpisodicMemoryPlugin;

/** g projected so that its dot product with `reference` is non-negative (A-GEM's rule); g itself when it already is. */
export function agemProjection(g: tf.Tensor1D, reference: tf.Tensor1D): tf.Tensor1D {
  const [gr, rr] = tf.stack([dot(g, reference), dot(reference, reference)]).dataSync();
  return gr < 0 && rr > 0 ? tf.sub(g, tf.mul(reference, gr / rr)) : g;
}

export function agemPlugin(options: AgemOptions = {}): AgemPlugin {
  const { seed = 0 } = options;
  const { bufferSize, minibatchSize } = methodOptions('agem', agemOptions, options);
  return episodicMemoryPlugin('agem', bufferSize, seed, (ctx, memory, rng, g) => {
    const rows = memory.read(memory.randomSlots(minibatchSize, rng));
    return agemProjection(g, memoryGradient(ctx, rows, ctx.trainingSet.sampleShape));
  });
}

/** A-GEM as a strategy: `fit({ ...agem({ bufferSize: 200 }), stream, model, optimizer, ... })`. */
export function agem(options: AgemOptions = {}): Strategy {
  return { name: 'agem', plugins: [agemPlugin(options), ...(options.plugins ?? [])] };
}

export const agemDefinition = defineStrategy({
  name: 'agem',
  family: 'replay',
  description: "A-GEM (Chaudhry et al. 2019): project the gradient off the memory's",
  options: agemOptions,
  taskFree: false,
  create: agem,
});
