import type { Dataset } from '../data/dataset.js';

/** One step of a stream: the data a strategy trains on, then is tested on, at that step. */
export interface Experience {
  /** Position in the stream, 0-based. */
  readonly index: number;
  readonly train: Dataset;
  readonly test: Dataset;
  /** Classes present in this experience's data, ascending. */
  readonly classes: readonly number[];
  /**
   * Task id of this experience. Training may always read it (task boundaries are known to the
   * trainer); evaluation must get it only through `testTaskId`, which hides it where the
   * scenario says the model does not know the task at test time.
   */
  readonly taskId: number;
}
