/**
 * Test helper for the replay methods: a small class-IL stream on which Naive keeps little more
 * than the last experience (Gaussian clusters, 8 classes in 4 experiences of 80 samples), an MLP
 * factory for it, and fits on it that assert no tensor leaks. `classIlReplay(setup)` gives the
 * same for other numbers (a test keeps its own data, model and fit settings); the module's own
 * exports are the defaults'.
 */
import assert from 'node:assert/strict';
import * as tf from '../../engine/tf.js';
import { sgd } from '../../engine/optimizers/index.js';
import { gaussianClusters, type GaussianClustersOptions } from '../../data/synthetic.js';
import type { DatasetSplit } from '../../data/dataset.js';
import { classSplit } from '../../benchmarks/class-split.js';
import type { Stream } from '../../benchmarks/stream.js';
import { mlp, type MlpOptions } from '../../models/mlp.js';
import type { Classifier } from '../../models/classifier.js';
import { summarize, type RunSummary } from '../../metrics/index.js';
import type { TrainingEvent } from '../../core/events.js';
import { fit, type FitOptions } from '../../training/template.js';
import type { Strategy } from '../../training/strategy.js';

/** What differs from the defaults; each field replaces only the values it names. */
export interface ClassIlSetup {
  /** The clusters: 8 classes, 40 train and 30 test samples each, 4 values, spread 0.3, seed 3. */
  readonly clusters?: Partial<GaussianClustersOptions>;
  /** The class-IL split: 4 experiences, seed 1. */
  readonly split?: { readonly experiences?: number; readonly seed?: number };
  /** The MLP: 4 inputs, one hidden layer of 32, 8 outputs, seed 1. */
  readonly model?: Partial<MlpOptions>;
  /** The fit: SGD with learning rate 0.1, 5 epochs, batches of 10, seed 2. */
  readonly fit?: Partial<FitOptions>;
}

export interface ClassIlReplay {
  /** The clusters the stream is split from (for another split of the same data). */
  readonly data: DatasetSplit;
  readonly stream: Stream;
  /** A fresh MLP, with the setup's seed unless `seed` is given. */
  readonly newModel: (seed?: number) => Classifier;
  /**
   * Fits `strategy` on the stream with a fresh model (or `overrides.model`), `overrides` replacing
   * any of the setup's fit options; asserts that the fit leaked no tensors, disposes the model and
   * returns the events.
   */
  runEvents(strategy: Strategy, overrides?: Partial<FitOptions>): TrainingEvent[];
  /** `runEvents`, summarised. */
  runSummary(strategy: Strategy, overrides?: Partial<FitOptions>): RunSummary;
}

export function classIlReplay(setup: ClassIlSetup = {}): ClassIlReplay {
  const data = gaussianClusters({
    numClasses: 8,
    samplesPerClass: 40,
    testSamplesPerClass: 30,
    dims: 4,
    spread: 0.3,
    seed: 3,
    ...setup.clusters,
  });
  const stream = classSplit(data, { experiences: 4, seed: 1, ...setup.split, scenario: 'class-il' });
  const newModel = (seed = setup.model?.seed ?? 1) =>
    mlp({ inputShape: [4], hiddenSizes: [32], numClasses: 8, ...setup.model, seed });
  const runEvents = (strategy: Strategy, overrides: Partial<FitOptions> = {}) => {
    const model = overrides.model ?? newModel();
    const start = tf.memory().numTensors;
    const events = fit({
      ...strategy,
      stream,
      optimizer: () => sgd({ learningRate: 0.1 }),
      epochs: 5,
      batchSize: 10,
      seed: 2,
      ...setup.fit,
      ...overrides,
      model,
    });
    assert.equal(tf.memory().numTensors, start, `${strategy.name} leaks no tensors`);
    model.dispose();
    return events;
  };
  return {
    data,
    stream,
    newModel,
    runEvents,
    runSummary: (strategy, overrides) => summarize(runEvents(strategy, overrides)),
  };
}

export const { stream, newModel, runEvents, runSummary } = classIlReplay();

/**
 * The gradient-projection methods' tests (A-GEM, GEM): six classes of 16 values with wider blobs,
 * dealt two per experience (Naive keeps little more than the last two); batches of 16, seed 3.
 */
export const sixClasses = classIlReplay({
  clusters: { numClasses: 6, samplesPerClass: 60, testSamplesPerClass: 40, dims: 16, spread: 1, seed: 7 },
  split: { experiences: 3, seed: 7 },
  model: { inputShape: [16], numClasses: 6 },
  fit: { batchSize: 16, seed: 3 },
});
