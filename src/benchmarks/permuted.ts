import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import type { Dataset, DatasetSplit } from '../data/dataset.js';
import type { Experience } from './experience.js';
import type { Stream } from './stream.js';

export interface PermutedOptions {
  experiences: number;
  seed: number;
  /** Stream name; defaults to `permuted-<experiences>`. */
  name?: string;
  /**
   * Zero pixels added on every side of each [H, W] or [H, W, C] image before permuting: the
   * experiences then permute (H + 2 pad) x (W + 2 pad) pixels. Default 0. van de Ven & Tolias's
   * code pads MNIST to 32x32 (`pad: 2`). For an MLP this is not neutral: the first layer's
   * fan-in (1024, not 784) sets its fan-in-scaled initialisation, and since the border is
   * permuted with the image, each experience scatters its 784 image pixels over 1024 input
   * positions, so two experiences' images share fewer active inputs.
   */
  pad?: number;
}

/**
 * Domain-IL by pixel permutation (Goodfellow et al. 2013; Kirkpatrick et al. 2017): every
 * experience holds all classes, with one fixed permutation of pixel positions applied to its
 * train and test images. Experience 0 keeps the identity, so the first task is the original
 * dataset and its accuracy is comparable with a plain run; experiences 1..T-1 each draw a
 * permutation from `seed`. For multi-channel images the channels of a pixel move together.
 */
export function permuted(split: DatasetSplit, options: PermutedOptions): Stream {
  const { experiences, seed, pad = 0 } = options;
  if (!Number.isInteger(experiences) || experiences < 1) {
    throw new ConfigError('experiences', `expected a positive integer, got ${experiences}`);
  }
  if (!Number.isInteger(pad) || pad < 0) {
    throw new ConfigError('pad', `expected a non-negative integer, got ${pad}`);
  }
  const train = pad ? padImages(split.train, pad) : split.train;
  const test = pad ? padImages(split.test, pad) : split.test;
  const perms = pixelPermutations(train.sampleShape, experiences, seed);
  const all = Array.from({ length: train.numClasses }, (_, i) => i);
  const list: Experience[] = perms.map((perm, t) => ({
    index: t,
    train: permutePixels(train, perm),
    test: permutePixels(test, perm),
    classes: all,
    taskId: t,
  }));
  return {
    name: options.name ?? `permuted-${experiences}`,
    scenario: 'domain-il',
    experiences: list,
    numClasses: train.numClasses,
    sampleShape: train.sampleShape,
    taskIdVisibleAtTest: false,
  };
}

/** The permutation of each experience (identity first); the same seed gives the same ones. */
export function pixelPermutations(
  sampleShape: readonly number[],
  experiences: number,
  seed: number,
): Int32Array[] {
  const pixels = pixelCount(sampleShape);
  const rng = createRng(seed);
  const identity = Int32Array.from({ length: pixels }, (_, i) => i);
  return Array.from({ length: experiences }, (_, t) => (t === 0 ? identity : rng.permutation(pixels)));
}

/** Output pixel `p` of each sample takes input pixel `perm[p]` (all its channels). */
export function permutePixels(dataset: Dataset, perm: Int32Array): Dataset {
  const channels = channelCount(dataset.sampleShape);
  const size = perm.length * channels;
  const n = dataset.y.length;
  const x = new Float32Array(n * size);
  for (let s = 0; s < n; s++) {
    const base = s * size;
    for (let p = 0; p < perm.length; p++) {
      const from = base + perm[p] * channels;
      const to = base + p * channels;
      for (let c = 0; c < channels; c++) x[to + c] = dataset.x[from + c];
    }
  }
  return { ...dataset, x, y: dataset.y.slice() };
}

/**
 * Each image with `pad` zero pixels added on every side: [H, W] becomes [H + 2 pad, W + 2 pad]
 * and [H, W, C] becomes [H + 2 pad, W + 2 pad, C] (all channels 0 in the border).
 */
export function padImages(dataset: Dataset, pad: number): Dataset {
  const shape = dataset.sampleShape;
  if (shape.length !== 2 && shape.length !== 3) {
    throw new ConfigError(
      'pad',
      `expected [H, W] or [H, W, C] images, got sample shape [${shape.join(', ')}]`,
    );
  }
  const [h, w] = shape;
  const channels = channelCount(shape);
  const paddedW = w + 2 * pad;
  const paddedSize = (h + 2 * pad) * paddedW * channels;
  const size = h * w * channels;
  const row = w * channels;
  const n = dataset.y.length;
  const x = new Float32Array(n * paddedSize);
  for (let s = 0; s < n; s++) {
    for (let r = 0; r < h; r++) {
      const from = s * size + r * row;
      x.set(dataset.x.subarray(from, from + row), s * paddedSize + ((r + pad) * paddedW + pad) * channels);
    }
  }
  const sampleShape = shape.length === 3 ? [h + 2 * pad, paddedW, channels] : [h + 2 * pad, paddedW];
  return { ...dataset, x, y: dataset.y.slice(), sampleShape };
}

// Images are [H, W] or channel-last [H, W, C]; anything else is treated as C = 1 flat features.
function channelCount(shape: readonly number[]): number {
  return shape.length === 3 ? shape[2] : 1;
}

function pixelCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1) / channelCount(shape);
}
