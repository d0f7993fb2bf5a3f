/**
 * Synthetic data for tests and quick experiments: each class is an isotropic Gaussian blob around
 * its own random centre. With a small `spread` the blobs are far apart relative to their width,
 * so even a linear model separates them in a few steps.
 */
import { ConfigError } from '../core/errors.js';
import { createRng, type Rng } from '../core/random.js';
import type { Dataset, DatasetSplit } from './dataset.js';

export interface GaussianClustersOptions {
  numClasses: number;
  samplesPerClass: number;
  /** Test samples per class; defaults to `samplesPerClass`. */
  testSamplesPerClass?: number;
  /** Length of each sample vector (`sampleShape` is `[dims]`). */
  dims: number;
  /** Standard deviation of each blob; centres are standard-normal, about sqrt(2 * dims) apart. Default 0.1. */
  spread?: number;
  /** Fixes centres and samples. Default 0. */
  seed?: number;
}

export function gaussianClusters(options: GaussianClustersOptions): DatasetSplit {
  const { numClasses, samplesPerClass, dims, spread = 0.1, seed = 0 } = options;
  const testSamplesPerClass = options.testSamplesPerClass ?? samplesPerClass;
  positiveInteger('numClasses', numClasses);
  positiveInteger('samplesPerClass', samplesPerClass);
  positiveInteger('testSamplesPerClass', testSamplesPerClass);
  positiveInteger('dims', dims);
  if (!Number.isFinite(spread) || spread < 0) {
    throw new ConfigError('spread', `expected a finite number >= 0, got ${spread}`);
  }
  const rng = createRng(seed);
  // Separate streams, so changing the test size does not change the centres or the train data.
  const centreRng = rng.fork();
  const trainRng = rng.fork();
  const testRng = rng.fork();
  const centres = Float32Array.from({ length: numClasses * dims }, () => centreRng.normal());
  const blobs = (perClass: number, draw: Rng): Dataset => {
    const x = new Float32Array(perClass * numClasses * dims);
    const y = new Int32Array(perClass * numClasses);
    // Interleaved classes (sample k has label k % numClasses), as in the image datasets.
    for (let k = 0; k < y.length; k++) {
      const c = k % numClasses;
      y[k] = c;
      for (let d = 0; d < dims; d++) x[k * dims + d] = centres[c * dims + d] + spread * draw.normal();
    }
    return { x, y, sampleShape: [dims], numClasses };
  };
  return { train: blobs(samplesPerClass, trainRng), test: blobs(testSamplesPerClass, testRng) };
}

function positiveInteger(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigError(field, `expected a positive integer, got ${value}`);
}
