/**
 * DER++ (Buzzega et al. 2020), as Mammoth's `models/derpp.py`: DER (der.ts) plus
 * `beta * CE(model(x''), y'')` on a second, independently drawn sample of the buffer, since the
 * stored logits may be those of an under-trained model and the labels are not. `beta: 0` is DER
 * itself (its plugin is then named `der`).
 */
import { z } from 'zod';
import type { Strategy, StrategyOptions } from '../../training/strategy.js';
import { defineStrategy, methodOptions } from '../definition.js';
import { darkReplayPlugin, derOptions, type DerPlugin } from './der.js';

/** DER++'s options (`derpp` in a config): DER's and the replayed cross-entropy's weight. */
export const derppOptions = derOptions.extend({
  // (alpha 0.5, beta 1.0) is the pair Mammoth's `utils/best_args.py` picks most often for DER++
  // over its benchmarks and buffer sizes (tied with (0.1, 0.5)).
  beta: z
    .number()
    .min(0)
    .default(1)
    .describe("weight of the replayed cross-entropy beta · CE(model(x''), y'') on a second sample"),
});

export type DerppOptions = StrategyOptions & z.input<typeof derppOptions>;

export function derppPlugin(options: DerppOptions): DerPlugin {
  const { seed = 0 } = options;
  return darkReplayPlugin({ ...methodOptions('derpp', derppOptions, options), seed });
}

/** DER++: `fit({ ...derpp({ bufferSize: 200 }), stream, model, ... })`. */
export function derpp(options: DerppOptions): Strategy {
  return { name: 'derpp', plugins: [derppPlugin(options), ...(options.plugins ?? [])] };
}

export const derppDefinition = defineStrategy({
  name: 'derpp',
  family: 'replay',
  description: 'DER++ (Buzzega et al. 2020): DER plus a cross-entropy on the stored labels',
  options: derppOptions,
  taskFree: true,
  example: { bufferSize: 500 },
  create: derpp,
});
