/**
 * Test fixture for the image models: a tiny class-IL stream of random-pattern images (each class
 * a random 8x8x3 pattern plus per-sample noise: Gaussian clusters shaped as images), 6 classes
 * in 3 experiences of 2, and fits on it that assert no tensor leaks.
 */
import assert from 'node:assert/strict';
import * as tf from '../../engine/tf.js';
import { sgd } from '../../engine/optimizers/index.js';
import { gaussianClusters } from '../../data/synthetic.js';
import type { DatasetSplit } from '../../data/dataset.js';
import { classSplit } from '../../benchmarks/class-split.js';
import type { Stream } from '../../benchmarks/stream.js';
import type { Classifier } from '../classifier.js';
import { summarize, type RunSummary } from '../../metrics/index.js';
import { fit, type FitOptions } from '../../training/template.js';
import type { Strategy } from '../../training/strategy.js';

export const IMAGE_SHAPE = [8, 8, 3] as const;

export interface ImageStreamOptions {
  /** Training images per class (default 24) and test images per class (default 12). */
  readonly samplesPerClass?: number;
  readonly testSamplesPerClass?: number;
  /** Noise around each class's pattern (default 1: patterns are standard normal). */
  readonly spread?: number;
  readonly seed?: number;
}

/** 6 classes of 8x8x3 random-pattern images. */
export function patternImages(options: ImageStreamOptions = {}): DatasetSplit {
  const data = gaussianClusters({
    numClasses: 6,
    samplesPerClass: options.samplesPerClass ?? 24,
    testSamplesPerClass: options.testSamplesPerClass ?? 12,
    dims: IMAGE_SHAPE.reduce((a, b) => a * b, 1),
    spread: options.spread ?? 1,
    seed: options.seed ?? 5,
  });
  return {
    train: { ...data.train, sampleShape: [...IMAGE_SHAPE] },
    test: { ...data.test, sampleShape: [...IMAGE_SHAPE] },
  };
}

/** The images as a class-IL stream: 3 experiences of 2 classes. */
export function imageClassIl(options: ImageStreamOptions = {}): Stream {
  return classSplit(patternImages(options), { experiences: 3, seed: 1, scenario: 'class-il' });
}

/**
 * Fits `strategy` with `model` on `stream` (SGD 0.05, 3 epochs, batches of 8, seed 2, unless
 * overridden), asserts that nothing leaked, disposes the model and summarises the run.
 */
export function runImages(
  stream: Stream,
  model: Classifier,
  strategy: Strategy,
  overrides: Partial<FitOptions> = {},
): RunSummary {
  const start = tf.memory().numTensors;
  const events = fit({
    ...strategy,
    stream,
    model,
    optimizer: () => sgd({ learningRate: 0.05 }),
    epochs: 3,
    batchSize: 8,
    seed: 2,
    ...overrides,
  });
  assert.equal(tf.memory().numTensors, start, `${strategy.name} leaks no tensors`);
  model.dispose();
  return summarize(events);
}
