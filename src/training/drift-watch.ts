/**
 * Drift detection on an online run (`FitOptions.drift`): a detector of src/drift/ watches the
 * run's prequential error, test-then-train. Before a delivered batch is trained on, the model
 * predicts its rows; each row's 0/1 error (1 = wrong) goes to the detector in delivery order, and
 * each drift it reports becomes a `drift` event (online-template.ts). The watch only observes:
 * training is the same with it or without it. Its detector's state is in the run's checkpoints.
 */
import { z } from 'zod';
import * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';
import type { DriftWatchEvent } from '../core/events.js';
import {
  createDriftDetector,
  updateForRise,
  type DriftDetector,
  type DriftDetectorName,
  type DriftDetectorState,
} from '../drift/index.js';
import type { Classifier } from '../models/classifier.js';
import { maskLogits } from './active-classes.js';

/** The detectors that watch a stream of numbers, such as 0/1 errors (KS and MMD compare input windows). */
export const ERROR_DRIFT_DETECTORS = [
  'adwin',
  'page-hinkley',
  'ddm',
] as const satisfies readonly DriftDetectorName[];

export type ErrorDriftDetectorName = (typeof ERROR_DRIFT_DETECTORS)[number];

/**
 * A watch as a config gives it (a run's `benchmark.online.drift`, a served model's `drift`): the
 * detector and its options, which `DriftWatch` checks against the detector's own schema.
 */
export const driftWatchConfig = z.strictObject({
  detector: z
    .enum(ERROR_DRIFT_DETECTORS)
    .default('adwin')
    .describe('the detector run on the prequential errors'),
  options: z.record(z.string(), z.unknown()).default({}).describe("the detector's options (docs/drift.md)"),
});

/** Which detector watches an online run's prequential error, and its options. */
export interface DriftWatchOptions {
  /** Default `adwin`. */
  readonly detector?: ErrorDriftDetectorName;
  /** The detector's options (docs/drift.md); defaults filled in for those not given. */
  readonly options?: Readonly<Record<string, unknown>>;
}

export class DriftWatch {
  readonly detectorName: ErrorDriftDetectorName;
  private readonly detector: DriftDetector<number>;

  /** Throws a ConfigError naming `drift.detector` or the option (`drift.options.delta`). */
  constructor(options: DriftWatchOptions) {
    const name = options.detector ?? 'adwin';
    if (!(ERROR_DRIFT_DETECTORS as readonly string[]).includes(name)) {
      throw new ConfigError(
        'drift.detector',
        `expected one of ${ERROR_DRIFT_DETECTORS.map((n) => JSON.stringify(n)).join(', ')} (a detector of a stream of numbers), got ${JSON.stringify(name)}`,
      );
    }
    this.detectorName = name;
    try {
      this.detector = createDriftDetector(name, (options.options ?? {}) as never);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new ConfigError(`drift.options.${error.field}`, error.detail);
    }
  }

  /** The `drift-watch` event of a run whose delivered stream ends its experiences at `boundaries`. */
  watchEvent(boundaries: readonly number[]): DriftWatchEvent {
    const { options } = this.detector.state();
    return {
      type: 'drift-watch',
      detector: this.detectorName,
      options: options as DriftWatchEvent['options'],
      boundaries: [...boundaries],
    };
  }

  /**
   * The prequential errors of `model` on a batch not yet trained on: 1 where the argmax of its
   * logits, masked to `active` as evaluation masks them (the classes seen before this batch in
   * class-IL; undefined: every unit), is not the label. One inference-mode forward pass: the
   * step's own logits are of training mode (Dropout on, BatchNorm on the batch's statistics, the
   * rows augmented and replayed rows joined), not the prediction a test would make. The
   * network's own logits, not a method's evaluation scores (memory-augmented's mixture): the
   * signal is the trained network's error, at the cost of one forward pass.
   */
  errors(
    model: Classifier,
    batch: { readonly x: Float32Array; readonly y: Int32Array },
    sampleShape: readonly number[],
    active: readonly number[] | undefined,
  ): Uint8Array {
    const n = batch.y.length;
    const predicted = tf.tidy(() => {
      const x = tf.tensor(batch.x, [n, ...sampleShape]);
      return tf.argMax(maskLogits(model.logits(x, undefined, false), active), 1).dataSync();
    });
    return Uint8Array.from(batch.y, (label, k) => (predicted[k] === label ? 0 : 1));
  }

  /**
   * Feeds `errors` to the detector in order; returns the indices at which it reported a drift in
   * which the error rose (drift/rising.ts: the fall as the model learns a new task is not one).
   */
  feed(errors: ArrayLike<number>): number[] {
    const drifts: number[] = [];
    for (let k = 0; k < errors.length; k++) if (updateForRise(this.detector, errors[k])) drifts.push(k);
    return drifts;
  }

  /** The detector's state, for a checkpoint. */
  state(): DriftDetectorState {
    return this.detector.state();
  }

  /**
   * Puts a checkpoint's detector state back; one of another detector or other options (a run
   * resumed with another `drift` than it was saved with) is refused with a ConfigError for `drift`.
   */
  restore(state: unknown): void {
    try {
      this.detector.restore(state as DriftDetectorState);
    } catch (error) {
      throw new ConfigError(
        'drift',
        `the checkpoint's drift detector state does not fit this run's drift detector (${(error as Error).message})`,
      );
    }
  }
}
