/** Checkpoints: the file format, the store of a run's files, and what a fit or a run saves. */
export { decodeCheckpoint, encodeCheckpoint } from './file-format.js';
export { checkpointStore, type CheckpointStore, type LoadedCheckpoint } from './store.js';
export {
  checkpointFromState,
  checkpointToState,
  type FitCheckpoint,
  type TrainingPosition,
} from './fit-state.js';
