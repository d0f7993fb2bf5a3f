/**
 * Data augmentation for image streams, as continual-learning benchmarks on CIFAR train
 * (Buzzega et al. 2020, Mammoth's Seq-CIFAR-10): a random crop of the image padded with zeros on
 * every side, and a horizontal flip with probability 1/2. Applied to the rows a training step
 * feeds the model (the new batch and replayed examples alike, as Mammoth augments buffer samples
 * when it replays them), never to evaluation; the memories keep the examples as they came.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/random.js';

/** The augmentation a stream's training steps apply (`benchmark.augment` in a config). */
export const augmentOptions = z.strictObject({
  crop: z
    .strictObject({
      padding: z
        .number()
        .int()
        .positive()
        .describe('pixels added on every side before a random crop back to size'),
      fill: z
        .array(z.number())
        .min(1)
        .optional()
        .describe(
          'the value of the added pixels, per channel (default 0); on normalized images, -mean/std is a black pixel',
        ),
    })
    .optional()
    .describe('random crop of the zero-padded image (Mammoth Seq-CIFAR: padding 4)'),
  flip: z.boolean().default(false).describe('mirror each image left to right with probability 1/2'),
});

export type AugmentOptions = z.output<typeof augmentOptions>;

/**
 * Refuses, before anything trains, an augmentation that cannot apply to samples of `shape`:
 * samples that are not images [height, width, channels], or a crop fill of another channel count.
 * `field` is where the options sit in a config (e.g. `benchmark.augment`).
 */
export function assertAugmentable(
  shape: readonly number[],
  options: AugmentOptions,
  field = 'augment',
): void {
  if (shape.length !== 3) {
    throw new ConfigError(
      field,
      `expected image samples [height, width, channels] to augment, got samples of shape [${shape.join(', ')}]`,
    );
  }
  const fill = options.crop?.fill;
  if (fill && fill.length !== shape[2]) {
    throw new ConfigError(
      `${field}.crop.fill`,
      `expected ${shape[2]} values (one per channel of the images), got ${fill.length}`,
    );
  }
}

/**
 * `count` images of `shape` [height, width, channels] (row-major, HWC) in `x`, each cropped
 * and flipped as `options` say with draws from `rng`; a new array (the input is not changed).
 */
export function augmentImages(
  x: Float32Array,
  count: number,
  shape: readonly number[],
  options: AugmentOptions,
  rng: Rng,
): Float32Array {
  const [height, width, channels = 1] = shape;
  const size = height * width * channels;
  const out = new Float32Array(count * size);
  const pad = options.crop?.padding ?? 0;
  const fill = options.crop?.fill;
  if (fill && fill.length !== channels) assertAugmentable(shape, options);
  // The padding's pixels: zeros, which the array starts as, or the fill colour.
  if (pad && fill?.some((v) => v !== 0)) {
    for (let i = 0; i < out.length; i++) out[i] = fill[i % channels];
  }
  for (let n = 0; n < count; n++) {
    // Offsets of the crop within the padded image, then whether to mirror it.
    const dy = pad ? rng.int(2 * pad + 1) - pad : 0;
    const dx = pad ? rng.int(2 * pad + 1) - pad : 0;
    const flip = options.flip && rng.next() < 0.5;
    const source = n * size;
    for (let i = 0; i < height; i++) {
      const si = i + dy;
      if (si < 0 || si >= height) continue; // a row of the zero padding
      for (let j = 0; j < width; j++) {
        const sj = (flip ? width - 1 - j : j) + dx;
        if (sj < 0 || sj >= width) continue;
        const from = source + (si * width + sj) * channels;
        const to = source + (i * width + j) * channels;
        for (let c = 0; c < channels; c++) out[to + c] = x[from + c];
      }
    }
  }
  return out;
}
