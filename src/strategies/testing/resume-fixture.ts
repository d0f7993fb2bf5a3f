/**
 * Test fixture for checkpoint-and-resume tests: a small synthetic problem (6 Gaussian classes in
 * 4 dimensions, 8 training rows each) split into 3 experiences, as class-IL and as task-IL, and
 * the seeded models that train on it. Small enough that a whole run takes milliseconds.
 */
import { gaussianClusters } from '../../data/synthetic.js';
import { classSplit } from '../../benchmarks/class-split.js';
import { mlp, multiHeadMlp } from '../../models/mlp.js';

const data = gaussianClusters({
  numClasses: 6,
  samplesPerClass: 8,
  testSamplesPerClass: 4,
  dims: 4,
  seed: 3,
});

export const resumeClassIl = classSplit(data, { experiences: 3, seed: 1, scenario: 'class-il' });
export const resumeTaskIl = classSplit(data, { experiences: 3, seed: 1, scenario: 'task-il' });
export const resumeSingleHead = () => mlp({ inputShape: [4], hiddenSizes: [8], numClasses: 6, seed: 5 });
export const resumeMultiHead = () =>
  multiHeadMlp({ inputShape: [4], hiddenSizes: [8], numClasses: 6, heads: 3, seed: 5 });
