/** Metrics: numbers computed from the events of a run (definitions in docs/architecture.md, "Evaluation"). */
export { averageAccuracy } from './average-accuracy.js';
export { averageForgetting } from './average-forgetting.js';
export { backwardTransfer } from './backward-transfer.js';
export { forwardTransfer } from './forward-transfer.js';
export { validateAccuracyMatrix, validateBaseline } from './validate.js';
export {
  buildAccuracyMatrix,
  createAccuracyMatrixBuilder,
  type AccuracyMatrix,
  type AccuracyMatrixBuilder,
  type AccuracyMatrixOptions,
} from './accuracy-matrix.js';
export { summarize, type RunSummary } from './summary.js';
export { driftSummary, type DriftBoundary, type DriftDetection, type DriftSummary } from './drift.js';
export { createMemorySampler, type MemorySampler, type MemorySamplerOptions } from './memory.js';
