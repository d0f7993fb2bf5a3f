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
}

/**
 * Domain-IL by pixel permutation (Goodfellow et al. 2013; Kirkpatrick et al. 2017): every
 * experience holds all classes, with one fixed permutation of pixel positions applied to its
 * train and test images. Experience 0 keeps the identity, so the first task is the original
 * dataset and its accuracy is comparable with a plain run; experiences 1..T-1 each draw a
 * permutation from `seed`. For multi-channel images the channels of a pixel move together.
 */
export function permuted(split: DatasetSplit, options: PermutedOptions): Stream {
  const { experiences, seed } = options;
  if (!Number.isInteger(experiences) || experiences < 1) {
    throw new ConfigError('experiences', `expected a positive integer, got ${experiences}`);
  }
  const perms = pixelPermutations(split.train.sampleShape, experiences, seed);
  const all = Array.from({ length: split.train.numClasses }, (_, i) => i);
  const list: Experience[] = perms.map((perm, t) => ({
    index: t,
    train: permutePixels(split.train, perm),
    test: permutePixels(split.test, perm),
    classes: all,
    taskId: t,
  }));
  return {
    name: options.name ?? `permuted-${experiences}`,
    scenario: 'domain-il',
    experiences: list,
    numClasses: split.train.numClasses,
    sampleShape: split.train.sampleShape,
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

// Images are [H, W] or channel-last [H, W, C]; anything else is treated as C = 1 flat features.
function channelCount(shape: readonly number[]): number {
  return shape.length === 3 ? shape[2] : 1;
}

function pixelCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1) / channelCount(shape);
}
