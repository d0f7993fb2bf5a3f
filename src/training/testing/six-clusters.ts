/**
 * The Learner tests' fixture: 6 Gaussian clusters in 8 dimensions split into 3 class-incremental
 * tasks of 2 classes, the whole test set in one piece, and the MLP they train.
 */
import { gaussianClusters } from '../../data/synthetic.js';
import { classSplit } from '../../benchmarks/class-split.js';
import { mlp } from '../../models/mlp.js';

export const DIMS = 8;

const data = gaussianClusters({
  numClasses: 6,
  samplesPerClass: 60,
  testSamplesPerClass: 30,
  dims: DIMS,
  spread: 1,
  seed: 3,
});

export const sixClusterStream = classSplit(data, { experiences: 3, seed: 1, scenario: 'class-il' });

/** Every task's test examples, task by task. */
export const sixClusterTest = {
  x: Float32Array.from(sixClusterStream.experiences.flatMap((e) => [...e.test.x])),
  y: Int32Array.from(sixClusterStream.experiences.flatMap((e) => [...e.test.y])),
};

/** An MLP 8-32-numClasses, the same initial weights on every call. */
export const sixClusterMlp = (numClasses = 6) =>
  mlp({ inputShape: [DIMS], hiddenSizes: [32], numClasses, seed: 5 });
