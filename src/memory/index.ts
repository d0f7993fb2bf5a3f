export {
  BufferStorage,
  StoredBuffer,
  bufferStateValue,
  readBufferState,
  restoreBuffer,
  restoreStorage,
  type BufferBatch,
  type BufferState,
  type Examples,
  type ReplayBuffer,
  type StorageShape,
} from './buffer.js';
export { ReservoirBuffer } from './reservoir.js';
export { ClassBalancedBuffer } from './class-balanced.js';
export { herding, normalizeRows, meanRow } from './herding.js';
export {
  ExemplarSet,
  embedRows,
  nearestMeanScores,
  type ClassMeans,
  type Embedding,
} from './exemplar-set.js';
export { KeyValueMemory, readMemory, type MemoryRead, type ReadOptions } from './key-value-memory.js';
export { PerTaskBuffer, type TaskRows } from './per-task-buffer.js';
export { matchRows, rowsToKeep, takeRows, type ExampleMatch } from './forget.js';
