import type { Dataset } from '../data/dataset.js';
import { sampleSize } from '../data/dataset.js';
import type { Experience } from './experience.js';
import type { ScenarioName } from '../core/events.js';
import type { AugmentOptions } from '../data/augment.js';

/**
 * The continual-learning scenarios (van de Ven & Tolias 2019, plus task-free online):
 * - `class-il`: new classes per experience, one shared head, no task id at test time;
 * - `task-il`: same data as class-IL, but the task id is given at test time (multi-head);
 * - `domain-il`: same classes, the input distribution changes (permuted, rotated), no task id at test;
 * - `online`: a single pass over a stream without announced boundaries.
 */
export type Scenario = ScenarioName;

/** An ordered list of experiences and the scenario that says what a model may know about them. */
export interface Stream {
  readonly name: string;
  readonly scenario: Scenario;
  readonly experiences: readonly Experience[];
  /** Classes over the whole stream (the width of a single shared head). */
  readonly numClasses: number;
  readonly sampleShape: readonly number[];
  /** Whether evaluation may tell the model which task a test sample comes from. */
  readonly taskIdVisibleAtTest: boolean;
  /**
   * Set on an online (task-free) stream (`onlineStream`, online.ts): training sees the train sets
   * once, in small batches, without being told where one experience ends. The experiences still
   * say where the distribution changes, so evaluation and its accuracy matrix stay per experience.
   */
  readonly online?: OnlineDelivery;
  /**
   * How many experiences the stream will have, where `experiences` holds only those so far (a
   * Learner's live stream, told how many tasks to expect).
   */
  readonly plannedExperiences?: number;
  /** Names of the classes by class id (a file's string labels), kept with the run and its models. */
  readonly classNames?: readonly string[];
  /** Augmentation of the images training steps feed the model (data/augment.ts); none when absent. */
  readonly augment?: AugmentOptions;
}

/** How an online stream delivers its training data (see `deliveryOrder` in online.ts). */
export interface OnlineDelivery {
  /** Samples per delivered batch (one optimizer step each). */
  readonly batchSize: number;
  /** Samples shuffled together across each experience boundary; 0: sharp boundaries. */
  readonly blurry: number;
  /** Fixes the delivery order. */
  readonly seed: number;
}

/**
 * The task id the model may be given when evaluated on `experience`: the id where the scenario
 * makes it visible (task-IL), `undefined` otherwise, so class-IL and domain-IL evaluation cannot
 * leak it by accident.
 */
export function testTaskId(stream: Stream, experience: Experience): number | undefined {
  return stream.taskIdVisibleAtTest ? experience.taskId : undefined;
}

/**
 * The train sets of experiences 0..upTo (inclusive) as one dataset, e.g. for a Cumulative
 * strategy; each sample keeps its experience's task id (`taskIds`).
 */
export function unionOfTrain(stream: Stream, upTo: number): Dataset {
  const last = stream.experiences.length - 1;
  if (!Number.isInteger(upTo) || upTo < 0 || upTo > last) {
    throw new RangeError(`upTo: expected an integer in [0, ${last}], got ${upTo}`);
  }
  const experiences = stream.experiences.slice(0, upTo + 1);
  const union = concatDatasets(experiences.map((e) => e.train));
  const taskIds = new Int32Array(union.y.length);
  let offset = 0;
  for (const e of experiences) {
    taskIds.fill(e.taskId, offset, offset + e.train.y.length);
    offset += e.train.y.length;
  }
  return { ...union, taskIds };
}

/** All train sets of the stream as one dataset: the joint-training upper bound. */
export function jointTrain(stream: Stream): Dataset {
  return unionOfTrain(stream, stream.experiences.length - 1);
}

/** The datasets one after another; they must share sample shape and class count. */
export function concatDatasets(datasets: readonly Dataset[]): Dataset {
  if (datasets.length === 0) throw new RangeError('datasets: expected at least one dataset');
  const first = datasets[0];
  const shape = first.sampleShape.join('x');
  let total = 0;
  for (const d of datasets) {
    if (d.sampleShape.join('x') !== shape || d.numClasses !== first.numClasses) {
      throw new RangeError(
        `datasets: expected sample shape ${shape} and ${first.numClasses} classes, got ${d.sampleShape.join('x')} and ${d.numClasses}`,
      );
    }
    total += d.y.length;
  }
  const size = sampleSize(first);
  const x = new Float32Array(total * size);
  const y = new Int32Array(total);
  let offset = 0;
  for (const d of datasets) {
    x.set(d.x, offset * size);
    y.set(d.y, offset);
    offset += d.y.length;
  }
  // Task ids survive only where every part has them.
  const { taskIds: _dropped, ...rest } = first;
  if (!datasets.every((d) => d.taskIds)) return { ...rest, x, y };
  const taskIds = new Int32Array(total);
  offset = 0;
  for (const d of datasets) {
    taskIds.set(d.taskIds as Int32Array, offset);
    offset += d.y.length;
  }
  return { ...rest, x, y, taskIds };
}
