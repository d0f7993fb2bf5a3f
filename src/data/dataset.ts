/**
 * A labelled dataset in plain typed arrays, independent of any tensor backend: samples are
 * turned into tensors batch by batch.
 */
export interface Dataset {
  /** Samples, row-major: `length * size(sampleShape)` values, scaled to [0, 1] for images. */
  readonly x: Float32Array;
  /** Class label of each sample, in [0, numClasses). */
  readonly y: Int32Array;
  /** Shape of one sample, e.g. [28, 28, 1]. */
  readonly sampleShape: readonly number[];
  readonly numClasses: number;
  /** Human-readable class names, when the dataset has them. */
  readonly classNames?: readonly string[];
  /**
   * The task id of each sample, for a dataset that mixes the data of several tasks (the union
   * of experiences a joint or cumulative learner trains on), so that a multi-task learner can
   * route each row to its task's head. Absent: every sample belongs to the experience trained on.
   */
  readonly taskIds?: Int32Array;
}

export function sampleSize(dataset: Pick<Dataset, 'sampleShape'>): number {
  return dataset.sampleShape.reduce((a, b) => a * b, 1);
}

export function datasetLength(dataset: Dataset): number {
  return dataset.y.length;
}

/** The samples at `indices`, in that order, as a new dataset. */
export function selectSamples(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const size = sampleSize(dataset);
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    x.set(dataset.x.subarray(j * size, (j + 1) * size), i * size);
    y[i] = dataset.y[j];
  }
  const ids = dataset.taskIds;
  return { ...dataset, x, y, ...(ids ? { taskIds: Int32Array.from(indices, (j) => ids[j]) } : {}) };
}

/** A train/test pair, as every benchmark dataset comes. */
export interface DatasetSplit {
  train: Dataset;
  test: Dataset;
}
